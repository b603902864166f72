using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Causeway.Distribution.Tests;

/// <summary>
/// Renders charts/causeway's templates as Helm would, for the few template constructs the chart uses (helm is not
/// installed here): <c>{{ .Release.Name }}</c>, <c>{{ .Release.Namespace }}</c>, <c>{{ .Values.a.b }}</c>,
/// <c>{{- if .Values.a.b }}</c> ... <c>{{- end }}</c> on their own lines (Helm's truthiness: false, 0, "" and absent
/// are false) and <c>{{ .Files.Get "PATH" | indent N }}</c> on its own line. Anything else left in the output fails the
/// render, so a template that grows a construct this does not know is noticed.
/// </summary>
internal sealed partial class ChartRenderer(string chartDirectory, string releaseName, string releaseNamespace, IReadOnlyDictionary<string, string>? overrides = null)
{
    private readonly YamlMappingNode _values = (YamlMappingNode)LoadYaml(Path.Combine(chartDirectory, "values.yaml"));

    private static YamlNode LoadYaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return stream.Documents[0].RootNode;
    }

    /// <summary>A value by dotted path (overrides first); null when absent.</summary>
    public string? Value(string path)
    {
        if (overrides is not null && overrides.TryGetValue(path, out var o)) return o;
        YamlNode node = _values;
        foreach (var part in path.Split('.'))
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(part), out var child)) return null;
            node = child;
        }
        return (node as YamlScalarNode)?.Value;
    }

    private bool Truthy(string path) => Value(path) is { } v && v is not ("false" or "0" or "" or "null" or "~");

    /// <summary>The rendered text of one template (comments kept, as Helm keeps them).</summary>
    public string Render(string templateFile)
    {
        var output = new StringBuilder();
        var conditions = new Stack<bool>();
        foreach (var line in File.ReadAllText(Path.Combine(chartDirectory, "templates", templateFile)).Split('\n'))
        {
            if (IfLine().Match(line) is { Success: true } m)
            {
                conditions.Push(Truthy(m.Groups[1].Value));
                continue;
            }
            if (EndLine().IsMatch(line))
            {
                if (conditions.Count == 0) throw new InvalidOperationException($"{templateFile}: {{{{- end }}}} without if");
                conditions.Pop();
                continue;
            }
            if (conditions.Contains(false)) continue;
            if (FilesGetLine().Match(line) is { Success: true } f)
            {
                var indent = new string(' ', int.Parse(f.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
                var content = File.ReadAllText(Path.Combine(chartDirectory, f.Groups[1].Value));
                // Helm's indent prefixes every line, including empty ones.
                output.Append(string.Join('\n', content.Split('\n').Select(l => indent + l))).Append('\n');
                continue;
            }
            var rendered = ValueRef().Replace(line
                .Replace("{{ .Release.Name }}", releaseName, StringComparison.Ordinal)
                .Replace("{{ .Release.Namespace }}", releaseNamespace, StringComparison.Ordinal),
                v => Value(v.Groups[1].Value) ?? throw new InvalidOperationException($"{templateFile}: no value {v.Groups[1].Value}"));
            if (rendered.Contains("{{", StringComparison.Ordinal)) throw new InvalidOperationException($"{templateFile}: unknown template construct in '{line}'");
            output.Append(rendered).Append('\n');
        }
        if (conditions.Count != 0) throw new InvalidOperationException($"{templateFile}: if without {{{{- end }}}}");
        return output.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>The YAML documents of one rendered template that hold an object (comment-only documents dropped).</summary>
    public IReadOnlyList<YamlMappingNode> Documents(string templateFile)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(Render(templateFile));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    [GeneratedRegex(@"^\{\{-? if \.Values\.([A-Za-z0-9_.]+) -?\}\}$")]
    private static partial Regex IfLine();

    [GeneratedRegex(@"^\{\{-? end -?\}\}$")]
    private static partial Regex EndLine();

    [GeneratedRegex(@"^\{\{ \.Files\.Get ""([^""]+)"" \| indent (\d+) \}\}$")]
    private static partial Regex FilesGetLine();

    [GeneratedRegex(@"\{\{ \.Values\.([A-Za-z0-9_.]+) \}\}")]
    private static partial Regex ValueRef();
}
