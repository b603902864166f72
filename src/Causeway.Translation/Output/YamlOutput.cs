using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Causeway.Translation.Output;

/// <summary>
/// Writes a JSON tree as YAML with YamlDotNet's emitter: the same shape as the JSON output, strings quoted when a
/// YAML 1.2 reader would take them for something else, multi-line strings (PEM certificates) as literal blocks.
/// </summary>
public static partial class YamlOutput
{
    public static string Write(JsonNode? node)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(node, writer);
        return writer.ToString();
    }

    public static void Write(JsonNode? node, TextWriter writer)
    {
        // The emitter writes a character at a time: on an auto-flushing writer (the console) that was one write(2)
        // per character. It writes into a buffer that goes out in large chunks instead.
        using var chunks = new ChunkedWriter(writer);
        var emitter = new Emitter(chunks, new EmitterSettings().WithBestIndent(2).WithIndentedSequences());
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        chunks.Flush();
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, true, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array) Emit(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        EmitString(emitter, value.GetValue<string>());
                        break;
                    case JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number:
                        emitter.Emit(new Scalar(null, null, value.ToJsonString(), ScalarStyle.Plain, true, false));
                        break;
                    default:
                        emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                        break;
                }
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string s)
    {
        ScalarStyle style;
        if (s.Contains('\n')) style = ScalarStyle.Literal;
        else if (s.Length == 0 || LooksLikeNonString().IsMatch(s)) style = ScalarStyle.DoubleQuoted;
        else style = ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, s, style, true, true));
    }

    [GeneratedRegex(@"^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")]
    private static partial Regex LooksLikeNonString();
}
