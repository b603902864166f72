using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Causeway.Translation.Output;

/// <summary>Writes a JSON tree as block-style YAML (strings that would read back as another type are quoted).</summary>
public static class JsonYaml
{
    public static string Write(JsonNode? node)
    {
        var sw = new StringWriter(CultureInfo.InvariantCulture);
        var e = new Emitter(sw);
        e.Emit(new StreamStart());
        e.Emit(new DocumentStart());
        Emit(e, node);
        e.Emit(new DocumentEnd(true));
        e.Emit(new StreamEnd());
        return sw.ToString();
    }

    private static void Emit(IEmitter e, JsonNode? node)
    {
        switch (node)
        {
            case null:
                e.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject o:
                e.Emit(new MappingStart(null, null, true, MappingStyle.Block));
                foreach (var (k, v) in o)
                {
                    e.Emit(new Scalar(k));
                    Emit(e, v);
                }
                e.Emit(new MappingEnd());
                break;
            case JsonArray a:
                e.Emit(new SequenceStart(null, null, true, a.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var v in a) Emit(e, v);
                e.Emit(new SequenceEnd());
                break;
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case JsonValueKind.String:
                        var s = v.GetValue<string>();
                        var style = s.Contains('\n') ? ScalarStyle.Literal : NeedsQuotes(s) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
                        e.Emit(new Scalar(null, null, s, style, true, true));
                        break;
                    default:
                        e.Emit(new Scalar(null, null, v.ToJsonString(), ScalarStyle.Plain, true, false));
                        break;
                }
                break;
        }
    }

    private static bool NeedsQuotes(string s) =>
        s.Length == 0 || s.ToLowerInvariant() is "null" or "~" or "true" or "false" or "yes" or "no" or "on" or "off" or "y" or "n"
        || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || s.StartsWith('*') || s.StartsWith('&') || s.StartsWith('!') || s.Contains(": ") || s.Contains(" #");
}
