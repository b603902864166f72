using Causeway.Model.Loading;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Causeway.Model.Schema;

/// <summary>
/// The Gateway API CRDs embedded in this assembly (vendored from kubernetes-sigs/gateway-api) and the Envoy Gateway
/// policy CRDs Causeway reads (vendored from envoyproxy/gateway, <c>Crds/envoy-gateway/</c>), with every
/// served version's OpenAPI v3 schema precompiled (regexes and CEL rules) for <see cref="SchemaValidator"/>.
/// Instances are immutable and thread-safe; load once and share (see <see cref="Experimental"/>).
/// </summary>
public sealed class CrdSchemaSet
{
    public const string StandardChannel = "standard";
    public const string ExperimentalChannel = "experimental";

    private const string ResourcePrefix = "Crds/";
    private const string EnvoyGatewayFolder = "envoy-gateway";

    private static readonly Lazy<CrdSchemaSet> ExperimentalInstance = new(() => Load(ExperimentalChannel));
    private static readonly Lazy<CrdSchemaSet> StandardInstance = new(() => Load(StandardChannel));

    private readonly FrozenDictionary<(string Group, string Version, string Kind), SchemaNode> _schemas;

    private CrdSchemaSet(
        string channel,
        Dictionary<(string, string, string), SchemaNode> schemas,
        List<UnsupportedRule> unsupported,
        int ruleCount,
        int transitionRuleCount)
    {
        Channel = channel;
        _schemas = schemas.ToFrozenDictionary();
        UnsupportedRules = unsupported;
        RuleCount = ruleCount;
        TransitionRuleCount = transitionRuleCount;
        ServedVersions = [.. _schemas.Keys.OrderBy(k => k.Kind, StringComparer.Ordinal).ThenBy(k => k.Version, StringComparer.Ordinal)];
    }

    /// <summary>The shared experimental-channel set (a superset of standard), loaded on first use.</summary>
    public static CrdSchemaSet Experimental => ExperimentalInstance.Value;

    /// <summary>The shared standard-channel set, loaded on first use.</summary>
    public static CrdSchemaSet Standard => StandardInstance.Value;

    /// <summary>The release channels embedded in this assembly.</summary>
    public static IReadOnlyList<string> Channels { get; } = [StandardChannel, ExperimentalChannel];

    public string Channel { get; }

    /// <summary>Every served (group, version, kind) with a schema.</summary>
    public IReadOnlyList<(string Group, string Version, string Kind)> ServedVersions { get; }

    /// <summary>CEL rules that could not be compiled and are therefore skipped; expected to be empty.</summary>
    public IReadOnlyList<UnsupportedRule> UnsupportedRules { get; }

    /// <summary>Total number of <c>x-kubernetes-validations</c> rules across all served versions.</summary>
    public int RuleCount { get; }

    /// <summary>Rules referencing <c>oldSelf</c> (update-only transition rules), skipped on validation.</summary>
    public int TransitionRuleCount { get; }

    /// <summary>Rules that are compiled and evaluated.</summary>
    public int SupportedRuleCount => RuleCount - TransitionRuleCount - UnsupportedRules.Count;

    /// <summary>Loads and compiles the CRDs of a channel (<c>standard</c> or <c>experimental</c>).</summary>
    public static CrdSchemaSet Load(string channel = ExperimentalChannel)
    {
        var schemas = new Dictionary<(string, string, string), SchemaNode>();
        var unsupported = new List<UnsupportedRule>();
        var regexCache = new ConcurrentDictionary<string, Regex>(StringComparer.Ordinal);
        int rules = 0, transitions = 0;
        foreach (var (_, yaml) in GetCrdDocuments(channel).Concat(GetEnvoyGatewayCrdDocuments()))
        {
            foreach (var doc in YamlJson.LoadAll(yaml))
            {
                if (doc is not JsonObject crd || crd["kind"]?.GetValue<string>() != "CustomResourceDefinition")
                {
                    continue;
                }

                var spec = crd["spec"]!.AsObject();
                var group = spec["group"]!.GetValue<string>();
                var kind = spec["names"]!["kind"]!.GetValue<string>();
                foreach (var v in spec["versions"]!.AsArray().OfType<JsonObject>())
                {
                    if (v["served"]?.GetValue<bool>() != true || v["schema"]?["openAPIV3Schema"] is not JsonObject schema)
                    {
                        continue;
                    }

                    var version = v["name"]!.GetValue<string>();
                    var parser = new SchemaNodeParser(kind, version, regexCache);
                    schemas[(group, version, kind)] = RelaxMetadataAndStatus(parser.Build(schema, ""));
                    unsupported.AddRange(parser.Unsupported);
                    rules += parser.RuleCount;
                    transitions += parser.TransitionRuleCount;
                }
            }
        }

        if (schemas.Count == 0)
        {
            throw new ArgumentException($"no CRDs embedded for channel '{channel}'", nameof(channel));
        }

        return new CrdSchemaSet(channel, schemas, unsupported, rules, transitions);
    }

    /// <summary>
    /// The raw CRD YAML documents of a channel, as vendored, ordered by file name
    /// (e.g. <c>gateway.networking.k8s.io_httproutes.yaml</c>).
    /// </summary>
    public static IReadOnlyList<(string FileName, string Yaml)> GetCrdDocuments(string channel)
    {
        if (!Channels.Contains(channel))
        {
            throw new ArgumentException($"unknown channel '{channel}' (expected 'standard' or 'experimental')", nameof(channel));
        }

        var asm = typeof(CrdSchemaSet).Assembly;
        var prefix = ResourcePrefix + channel + "/";
        var result = new List<(string, string)>();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = asm.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            result.Add((name[prefix.Length..], reader.ReadToEnd()));
        }

        return result;
    }

    /// <summary>
    /// The Envoy Gateway CRD YAML documents Causeway reads (e.g. <c>gateway.envoyproxy.io_backendtrafficpolicies.yaml</c>),
    /// as vendored, ordered by file name. They belong to no Gateway API channel.
    /// </summary>
    public static IReadOnlyList<(string FileName, string Yaml)> GetEnvoyGatewayCrdDocuments()
    {
        var asm = typeof(CrdSchemaSet).Assembly;
        var prefix = ResourcePrefix + EnvoyGatewayFolder + "/";
        var result = new List<(string, string)>();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = asm.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            result.Add((name[prefix.Length..], reader.ReadToEnd()));
        }

        return result;
    }

    /// <summary>The upstream licence and notice files shipped with the Gateway API CRDs (<c>LICENSE</c>, <c>NOTICE</c>).</summary>
    public static IReadOnlyList<(string FileName, string Text)> GetLicenseDocuments() => ReadLicenses("");

    /// <summary>The licence and notice files shipped with the Envoy Gateway CRDs (<c>LICENSE</c>, <c>NOTICE</c>).</summary>
    public static IReadOnlyList<(string FileName, string Text)> GetEnvoyGatewayLicenseDocuments() => ReadLicenses(EnvoyGatewayFolder + "/");

    private static List<(string FileName, string Text)> ReadLicenses(string folder)
    {
        var asm = typeof(CrdSchemaSet).Assembly;
        var result = new List<(string, string)>();
        foreach (var file in new[] { "LICENSE", "NOTICE" })
        {
            using var stream = asm.GetManifestResourceStream(ResourcePrefix + folder + file)!;
            using var reader = new StreamReader(stream);
            result.Add((file, reader.ReadToEnd()));
        }

        return result;
    }

    /// <summary>Whether a schema exists for this served (group, version, kind).</summary>
    public bool IsServed(string group, string version, string kind) => _schemas.ContainsKey((group, version, kind));

    internal SchemaNode? GetSchema(string group, string version, string kind) =>
        _schemas.TryGetValue((group, version, kind), out var s) ? s : null;

    /// <summary>
    /// The root schema with <c>metadata</c> and <c>status</c> accepted as-is: the API server validates metadata
    /// separately and drops a submitted status on create (status subresource).
    /// </summary>
    private static SchemaNode RelaxMetadataAndStatus(SchemaNode root)
    {
        var status = root.Properties?.GetValueOrDefault("status");
        var props = new Dictionary<string, SchemaNode>(root.Properties ?? new Dictionary<string, SchemaNode>(), StringComparer.Ordinal)
        {
            ["metadata"] = new SchemaNode { PreserveUnknownFields = true },

            // An absent status still gets the CRD's status default (e.g. Accepted=Unknown "Waiting for controller"),
            // as the API server applies it when the object is read back.
            ["status"] = new SchemaNode { PreserveUnknownFields = true, HasDefault = status?.HasDefault ?? false, Default = status?.Default },
        };
        return new SchemaNode
        {
            Type = root.Type,
            Properties = props,
            DefaultedProperties = [.. props.Where(kv => kv.Value.HasDefault && kv.Value.Default is not null)],
            Required = root.Required,
            Rules = root.Rules,
            SubtreeHasDefaults = props.Values.Any(p => p.HasDefault || p.SubtreeHasDefaults),
        };
    }
}
