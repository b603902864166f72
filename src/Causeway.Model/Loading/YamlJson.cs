using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Causeway.Model.Loading;

/// <summary>One YAML (or JSON) document turned into a JSON tree, with the line of every node by its path.</summary>
public sealed record YamlDocument(JsonNode? Root, int Line, IReadOnlyDictionary<string, int> Lines)
{
    /// <summary>The line of the deepest known node on <paramref name="path"/> (e.g. <c>spec.rules[0].matches</c>).</summary>
    public int LineOf(string path)
    {
        var p = path;
        while (p.Length > 0)
        {
            if (Lines.TryGetValue(p, out var line)) return line;
            var cut = Math.Max(p.LastIndexOf('.'), p.LastIndexOf('['));
            if (cut <= 0) break;
            p = p[..cut];
        }
        return Line;
    }
}

/// <summary>Reads multi-document YAML (JSON is YAML) into JSON trees, resolving plain scalars with the YAML 1.2 core schema.</summary>
public static partial class YamlJson
{
    public static IEnumerable<YamlDocument> ReadDocuments(string text)
    {
        // Line numbers are needed only for error messages: they are computed on first use, by a second parse that
        // records the line of every path (for every document of the text at once), not while loading.
        var lineIndex = new LineIndex(text);
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        var n = 0;
        while (parser.TryConsume<DocumentStart>(out var start))
        {
            JsonNode? root = null;
            if (!parser.Accept<DocumentEnd>(out _))
                root = ReadNode(parser, 0);
            parser.Consume<DocumentEnd>();
            yield return new YamlDocument(root, (int)start.Start.Line, new LazyLines(lineIndex, n++));
        }
        parser.Consume<StreamEnd>();
    }

    /// <summary>The documents of <paramref name="text"/> as JSON trees, without line information.</summary>
    public static IEnumerable<JsonNode?> LoadAll(string text) => ReadDocuments(text).Select(d => d.Root);

    private const int MaxDepth = 128;

    private static JsonNode? ReadNode(IParser parser, int depth)
    {
        if (depth > MaxDepth)
            throw new YamlException(parser.Current!.Start, parser.Current.End, "document nested too deeply");
        if (parser.Current is AnchorAlias alias)
            throw new YamlException(alias.Start, alias.End, "YAML aliases are not supported in Kubernetes manifests");
        var ev = parser.Consume<NodeEvent>();
        switch (ev)
        {
            case Scalar s:
                return ResolveScalar(s);
            case SequenceStart:
                var arr = new JsonArray();
                while (!parser.TryConsume<SequenceEnd>(out _))
                    arr.Add(ReadNode(parser, depth + 1));
                return arr;
            case MappingStart:
                var obj = new JsonObject();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyEvent = parser.Consume<Scalar>();
                    var key = keyEvent.Value;
                    if (obj.ContainsKey(key))
                        throw new YamlException(keyEvent.Start, keyEvent.End, $"duplicate key \"{key}\"");
                    obj[key] = ReadNode(parser, depth + 1);
                }
                return obj;
            default:
                throw new YamlException(ev.Start, ev.End, $"unexpected YAML event {ev.GetType().Name}");
        }
    }

    /// <summary>Records the line of every node of one document by its path (the slow path, for error messages).</summary>
    private static void ReadLines(IParser parser, string path, Dictionary<string, int> lines, int depth)
    {
        if (depth > MaxDepth || parser.Current is AnchorAlias)
            throw new YamlException("unreadable document");
        var ev = parser.Consume<NodeEvent>();
        lines[path] = (int)ev.Start.Line;
        switch (ev)
        {
            case SequenceStart:
                var i = 0;
                while (!parser.TryConsume<SequenceEnd>(out _))
                    ReadLines(parser, $"{path}[{i++}]", lines, depth + 1);
                break;
            case MappingStart:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyEvent = parser.Consume<Scalar>();
                    var key = keyEvent.Value;
                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    if (!seen.Add(key))
                        throw new YamlException("duplicate key");
                    ReadLines(parser, childPath, lines, depth + 1);
                    lines.TryAdd(childPath, (int)keyEvent.Start.Line);
                }
                break;
        }
    }

    /// <summary>The line maps of every document of a text, computed once, on first use.</summary>
    private sealed class LineIndex(string text)
    {
        private List<Dictionary<string, int>>? _documents;

        public IReadOnlyDictionary<string, int> For(int document)
        {
            var docs = LazyInitializer.EnsureInitialized(ref _documents, Compute);
            return document < docs.Count ? docs[document] : new Dictionary<string, int>(StringComparer.Ordinal);
        }

        private List<Dictionary<string, int>> Compute()
        {
            var docs = new List<Dictionary<string, int>>();
            try
            {
                var parser = new Parser(new StringReader(text));
                parser.Consume<StreamStart>();
                while (parser.TryConsume<DocumentStart>(out _))
                {
                    var lines = new Dictionary<string, int>(StringComparer.Ordinal);
                    docs.Add(lines);
                    if (!parser.Accept<DocumentEnd>(out _))
                        ReadLines(parser, "", lines, 0);
                    parser.Consume<DocumentEnd>();
                }
            }
            catch (Exception e) when (e is YamlException or InvalidOperationException)
            {
                // The documents before a syntax error were loaded: their lines are known.
            }

            return docs;
        }
    }

    /// <summary>One document's line map, computed (for the whole text) when first read.</summary>
    private sealed class LazyLines(LineIndex index, int document) : IReadOnlyDictionary<string, int>
    {
        private IReadOnlyDictionary<string, int> Lines => field ??= index.For(document);

        public int this[string key] => Lines[key];

        public IEnumerable<string> Keys => Lines.Keys;

        public IEnumerable<int> Values => Lines.Values;

        public int Count => Lines.Count;

        public bool ContainsKey(string key) => Lines.ContainsKey(key);

        public bool TryGetValue(string key, out int value) => Lines.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, int>> GetEnumerator() => Lines.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static JsonNode? ResolveScalar(Scalar s)
    {
        var v = s.Value;
        if (!s.Tag.IsEmpty)
        {
            var tag = s.Tag.Value;
            if (tag.EndsWith(":str", StringComparison.Ordinal)) return JsonValue.Create(v);
            if (tag.EndsWith(":int", StringComparison.Ordinal) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ti)) return JsonValue.Create(ti);
            if (tag.EndsWith(":bool", StringComparison.Ordinal) && bool.TryParse(v, out var tb)) return JsonValue.Create(tb);
            if (tag.EndsWith(":null", StringComparison.Ordinal)) return null;
        }
        if (s.Style != ScalarStyle.Plain) return JsonValue.Create(v);
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (!char.IsAsciiDigit(v[0]) && v[0] is not ('-' or '+' or '.'))
            return JsonValue.Create(v); // cannot be a number: skip the patterns
        if (IntPattern().IsMatch(v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            return JsonValue.Create(l);
        if (v.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(v.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
            return JsonValue.Create(hex);
        if (FloatPattern().IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
