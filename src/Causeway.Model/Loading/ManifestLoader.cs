using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Causeway.Model.Objects;
using YamlDotNet.Core;

namespace Causeway.Model.Loading;

/// <summary>
/// Reads Kubernetes-style manifests (multi-document YAML or JSON; files and directories, recursively) into typed objects.
/// Every bad document becomes a precise error and the valid documents around it still load.
/// </summary>
public sealed partial class ManifestLoader(IObjectValidator? validator = null)
{
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = false,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>The manifest files under the given paths, in a stable order.</summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
                files.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Where(f => !Path.GetFileName(f).StartsWith('.'))
                    .Order(StringComparer.Ordinal));
            else
                files.Add(p);
        }
        return files;
    }

    public LoadResult LoadPaths(IEnumerable<string> paths)
    {
        var builder = new Builder();
        foreach (var file in ExpandPaths(paths))
        {
            string text;
            try
            {
                var info = new FileInfo(file);
                if (!info.Exists) { builder.Error(file, 0, null, null, "no such file or directory"); continue; }
                if (info.Length > MaxFileBytes) { builder.Error(file, 0, null, null, $"file is larger than {MaxFileBytes} bytes"); continue; }
                text = File.ReadAllText(file, Encoding.UTF8);
            }
            catch (IOException e) { builder.Error(file, 0, null, null, e.Message); continue; }
            catch (UnauthorizedAccessException e) { builder.Error(file, 0, null, null, e.Message); continue; }
            LoadInto(builder, text, file);
        }
        return builder.Build();
    }

    public LoadResult LoadText(string text, string fileName = "<input>")
    {
        var builder = new Builder();
        LoadInto(builder, text, fileName);
        return builder.Build();
    }

    private void LoadInto(Builder b, string text, string file)
    {
        if (text.Contains('\0'))
        {
            b.Error(file, 1, null, null, "not a text file (contains NUL bytes)");
            return;
        }
        try
        {
            foreach (var doc in YamlJson.ReadDocuments(text))
                LoadDocument(b, doc, file);
        }
        catch (YamlException e)
        {
            b.Error(file, (int)e.Start.Line, null, null, "YAML syntax error: " + CleanYamlMessage(e.Message));
        }
        catch (InvalidOperationException e) when (e.Source == "YamlDotNet") // the scanner throws this on some malformed flow collections
        {
            b.Error(file, LastScannableLine(text), null, null, "YAML syntax error: malformed YAML (" + e.Message + ")");
        }
    }

    /// <summary>The line of the last token the YAML scanner could read: where the syntax breaks.</summary>
    private static int LastScannableLine(string text)
    {
        var scanner = new Scanner(new StringReader(text));
        long line = 1;
        try
        {
            while (scanner.MoveNext()) line = scanner.Current!.End.Line;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
        }
        return (int)line;
    }

    private void LoadDocument(Builder b, YamlDocument doc, string file)
    {
        if (doc.Root is null) return;
        if (doc.Root is not JsonObject body)
        {
            b.Error(file, doc.Line, null, null, "a manifest document must be a mapping with apiVersion and kind");
            return;
        }
        if (body["kind"]?.GetValueKind() == JsonValueKind.String && body["kind"]!.GetValue<string>() == "List"
            && body["items"] is JsonArray items)
        {
            for (var i = 0; i < items.Count; i++)
                if (items[i] is JsonObject item)
                    LoadDocument(b, doc with { Root = item.DeepClone(), Lines = Reroot(doc.Lines, $"items[{i}]") }, file);
            return;
        }
        var apiVersion = StringField(body, "apiVersion");
        var kind = StringField(body, "kind");
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            b.Error(file, doc.Line, null, string.IsNullOrEmpty(apiVersion) ? "apiVersion" : "kind", "Required value");
            return;
        }
        var meta = body["metadata"] as JsonObject;
        var name = meta is null ? null : StringField(meta, "name");
        var (group, version) = KindRegistry.SplitApiVersion(apiVersion);
        var info = KindRegistry.Find(group, kind);
        var location = new SourceLocation(file, doc.Line);
        if (info is null)
        {
            b.Skipped(new RawDocument(apiVersion, kind, body, location), $"{apiVersion} {kind}");
            return;
        }
        var objNs = info.ClusterScoped ? null : (meta is null ? null : StringField(meta, "namespace")) ?? "default";
        var described = new ObjectKey(kind, objNs ?? "", name ?? "").ToString();
        if (!info.Versions.Contains(version))
        {
            b.Error(file, doc.Line, described, "apiVersion", $"version \"{version}\" of {kind} is not supported (supported: {string.Join(", ", info.Versions.Select(v => Join(group, v)))})");
            return;
        }
        if (string.IsNullOrEmpty(name))
        {
            b.Error(file, doc.LineOf("metadata"), described, "metadata.name", "Required value");
            return;
        }
        var metaErrors = ValidateMetadata(meta!, info.ClusterScoped);
        foreach (var (path, message) in metaErrors)
            b.Error(file, doc.LineOf(path), described, path, message);
        if (metaErrors.Count > 0) return;

        body.Remove("status");
        if (info.SchemaValidated && validator is not null)
        {
            var errors = validator.Validate(body, group, version, kind);
            foreach (var (path, message) in errors)
                b.Error(file, doc.LineOf(path), described, path, message);
            if (errors.Count > 0) return;
        }

        KubeObject obj;
        try
        {
            obj = kind switch
            {
                "Secret" => ReadSecret(body),
                "EnvoyProxy" => EnvoyProxyReader.Read(body),
                _ => (KubeObject)body.Deserialize(info.ClrType, Json)!,
            };
        }
        catch (JsonException e)
        {
            var path = JsonPathToField(e.Path);
            b.Error(file, doc.LineOf(path), described, path, "invalid value: " + FirstSentence(e.Message));
            return;
        }
        catch (FormatException e)
        {
            b.Error(file, doc.LineOf("data"), described, "data", e.Message);
            return;
        }
        catch (InvalidOperationException e) // JsonNode.GetValue<T> on a value of another type (EnvoyProxy fields)
        {
            b.Error(file, doc.Line, described, null, "invalid value: " + e.Message);
            return;
        }
        if (obj is EndpointSlice slice && EndpointSliceAddressError(slice) is { } bad)
        {
            b.Error(file, doc.LineOf(bad.Path), described, bad.Path, bad.Message);
            return;
        }
        var m = obj.Metadata;
        obj = obj with
        {
            Metadata = m with { Namespace = objNs, Generation = m.Generation == 0 ? 1 : m.Generation },
            Source = location,
        };
        b.Add(obj, file, doc.Line);
    }

    /// <summary>
    /// The API server's check of EndpointSlice addresses: each must be an IP of the slice's <c>addressType</c> (IPv4 in
    /// dotted-quad form, IPv6); FQDN slices are not checked. The first bad address, or null.
    /// </summary>
    internal static (string Path, string Message)? EndpointSliceAddressError(EndpointSlice slice)
    {
        if (slice.AddressType is not ("IPv4" or "IPv6"))
            return slice.AddressType == "FQDN" ? null : ("addressType", $"Unsupported value: \"{slice.AddressType}\": supported values: \"IPv4\", \"IPv6\", \"FQDN\"");
        for (var i = 0; i < slice.Endpoints.Count; i++)
        {
            var addresses = slice.Endpoints[i].Addresses;
            for (var j = 0; j < addresses.Count; j++)
            {
                var a = addresses[j];
                var ok = slice.AddressType == "IPv4" ? IsDottedQuad(a) : a.Contains(':') && System.Net.IPAddress.TryParse(a, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
                if (!ok) return ($"endpoints[{i}].addresses[{j}]", $"Invalid value: \"{a}\": must be a valid {slice.AddressType} address");
            }
        }
        return null;

        static bool IsDottedQuad(string a)
        {
            var parts = a.Split('.');
            if (parts.Length != 4) return false;
            foreach (var p in parts)
                if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) > 255) return false;
            return true;
        }
    }

    private static Secret ReadSecret(JsonObject body)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (body["data"] is JsonObject d)
            foreach (var (k, v) in d)
            {
                var s = v?.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
                try { data[k] = Convert.FromBase64String(s); }
                catch (FormatException) { throw new FormatException($"data.{k}: illegal base64 data"); }
            }
        if (body["stringData"] is JsonObject sd)
            foreach (var (k, v) in sd)
                data[k] = Encoding.UTF8.GetBytes(v?.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v?.ToJsonString() ?? "");
        var shell = new JsonObject { ["apiVersion"] = body["apiVersion"]?.DeepClone(), ["kind"] = "Secret", ["metadata"] = body["metadata"]?.DeepClone(), ["type"] = body["type"]?.DeepClone() };
        var secret = shell.Deserialize<Secret>(Json)!;
        return secret with { Data = data };
    }

    private static List<(string, string)> ValidateMetadata(JsonObject meta, bool clusterScoped)
    {
        var errors = new List<(string, string)>();
        var name = StringField(meta, "name")!;
        if (name.Length > 253 || !DnsSubdomain().IsMatch(name))
            errors.Add(("metadata.name", $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
        var ns = StringField(meta, "namespace");
        if (!clusterScoped && ns is not null && (ns.Length > 63 || !DnsLabel().IsMatch(ns)))
            errors.Add(("metadata.namespace", $"Invalid value: \"{ns}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'"));
        foreach (var mapName in new[] { "labels", "annotations" })
            if (meta[mapName] is JsonObject map)
                foreach (var (k, v) in map)
                    if (v is not null && v.GetValueKind() != JsonValueKind.String)
                        errors.Add(($"metadata.{mapName}.{k}", "Invalid value: must be a string"));
        return errors;
    }

    private static string? StringField(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string Join(string group, string version) => group.Length == 0 ? version : $"{group}/{version}";

    private static Dictionary<string, int> Reroot(IReadOnlyDictionary<string, int> lines, string prefix)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (k, v) in lines)
            if (k == prefix) result[""] = v;
            else if (k.StartsWith(prefix + ".", StringComparison.Ordinal)) result[k[(prefix.Length + 1)..]] = v;
        return result;
    }

    /// <summary>"$.spec.listeners[0].port" -> "spec.listeners[0].port".</summary>
    internal static string JsonPathToField(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) ? "" : jsonPath.TrimStart('$').TrimStart('.');

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }

    private static string CleanYamlMessage(string message)
    {
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && close > 0 ? message[(close + 3)..] : message;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    private sealed class Builder
    {
        private readonly List<KubeObject> _objects = [];
        private readonly Dictionary<ObjectKey, SourceLocation> _seen = [];
        private readonly List<LoadDiagnostic> _errors = [];
        private readonly List<LoadDiagnostic> _warnings = [];
        private readonly List<RawDocument> _skipped = [];
        private readonly HashSet<string> _warnedKinds = [];

        public void Error(string file, int line, string? obj, string? field, string message) =>
            _errors.Add(new LoadDiagnostic(Severity.Error, file, line, obj, field, message));

        public void Skipped(RawDocument doc, string what)
        {
            _skipped.Add(doc);
            if (_warnedKinds.Add(what))
                _warnings.Add(new LoadDiagnostic(Severity.Warning, doc.Source.File, doc.Source.Line, null, null, $"skipping {what}: Causeway does not read this kind"));
        }

        public void Add(KubeObject obj, string file, int line)
        {
            if (_seen.TryGetValue(obj.Key, out var first))
            {
                Error(file, line, obj.Describe(), null, $"duplicate object: already defined at {first}");
                return;
            }
            _seen[obj.Key] = obj.Source!;
            _objects.Add(obj);
        }

        public LoadResult Build() => new(_objects, _errors, _warnings, _skipped);
    }
}
