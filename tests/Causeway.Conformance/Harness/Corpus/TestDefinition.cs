using System.Text.Json.Nodes;
using Causeway.Model.Loading;

namespace Causeway.Conformance.Harness.Corpus;

/// <summary>The default target of requests: a Gateway and optionally one of its listeners.</summary>
public sealed record GatewayRef(string Namespace, string Name, string? Listener)
{
    public static GatewayRef? Parse(JsonNode? node) =>
        node is JsonObject o && o.Str("name") is { } name ? new GatewayRef(o.Str("namespace") ?? "", name, o.Str("listener")) : null;
}

/// <summary>One test of the corpus: <c>tests/NAME/cases.yaml</c> plus its manifests.</summary>
public sealed record TestDefinition
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<string> Features { get; init; } = [];
    public bool Provisional { get; init; }
    public IReadOnlyList<string> RunOnlyIfSupported { get; init; } = [];
    public IReadOnlyList<string> RunOnlyIfUnsupported { get; init; } = [];
    public string? Skip { get; init; }
    public IReadOnlyList<string> ReadyNamespaces { get; init; } = [];
    public JsonObject? Setup { get; init; }
    public GatewayRef? Gateway { get; init; }
    public IReadOnlyList<StatusExpectation> ExpectStatus { get; init; } = [];
    public IReadOnlyList<Step> Cases { get; init; } = [];

    /// <summary>The test's manifests (text, may be empty).</summary>
    public string Manifests { get; init; } = "";

    public string Directory { get; init; } = "";

    public static TestDefinition Load(string directory)
    {
        var casesPath = Path.Combine(directory, "cases.yaml");
        var text = File.ReadAllText(casesPath);
        var manifestsPath = Path.Combine(directory, "manifests.yaml");
        var manifests = File.Exists(manifestsPath) ? File.ReadAllText(manifestsPath) : "";
        return Parse(text, manifests, casesPath) with { Directory = directory };
    }

    /// <summary>The <c>features</c> of a test whose file may not be valid (for the report of a rejected file).</summary>
    public static IReadOnlyList<string> FeaturesOf(string directory)
    {
        try
        {
            return (YamlJson.ReadDocuments(File.ReadAllText(Path.Combine(directory, "cases.yaml"))).FirstOrDefault()?.Root as JsonObject).StrList("features");
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidOperationException)
        {
            return [];
        }
    }

    public static TestDefinition Parse(string casesYaml, string manifests, string fileName = "cases.yaml")
    {
        var doc = YamlJson.ReadDocuments(casesYaml).FirstOrDefault()?.Root as JsonObject
            ?? throw new FormatException($"{fileName}: not a mapping");
        var name = doc.Str("name") ?? throw new FormatException($"{fileName}: missing name");
        CorpusSchema.Validate(doc, fileName);
        var runOnlyIf = doc.Obj("runOnlyIf");
        var steps = new List<Step>();
        if (doc.Arr("cases") is { } cases)
            for (var i = 0; i < cases.Count; i++)
                if (cases[i] is JsonObject c)
                    steps.Add(Step.Parse(c, i));
        return new TestDefinition
        {
            Name = name,
            Description = doc.Str("description") ?? "",
            Features = doc.StrList("features"),
            Provisional = doc.Bool("provisional"),
            RunOnlyIfSupported = runOnlyIf.StrList("supported"),
            RunOnlyIfUnsupported = runOnlyIf.StrList("unsupported"),
            Skip = doc.Str("skip"),
            ReadyNamespaces = doc.StrList("readyNamespaces"),
            Setup = doc.Obj("setup"),
            Gateway = GatewayRef.Parse(doc["gateway"]),
            ExpectStatus = StatusExpectation.ParseList(doc.Arr("expectStatus")),
            Cases = steps,
            Manifests = manifests,
        };
    }
}
