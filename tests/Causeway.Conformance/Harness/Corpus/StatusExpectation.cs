using System.Text.Json.Nodes;

namespace Causeway.Conformance.Harness.Corpus;

/// <summary>One <c>expectStatus</c> entry; the evaluation reads the raw form (see StatusAssertions).</summary>
public sealed record StatusExpectation(string Kind, string Namespace, string Name, JsonObject Raw)
{
    /// <summary>A <c>{readyNamespaces: [...]}</c> entry inside a checkpoint.</summary>
    public IReadOnlyList<string> ReadyNamespaces => Raw.StrList("readyNamespaces");

    public override string ToString() => Namespace.Length == 0 ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";

    public static IReadOnlyList<StatusExpectation> ParseList(JsonArray? list)
    {
        if (list is null) return [];
        var result = new List<StatusExpectation>();
        foreach (var item in list)
            if (item is JsonObject o)
                result.Add(new StatusExpectation(o.Str("kind") ?? "", o.Str("namespace") ?? "", o.Str("name") ?? "", o));
        return result;
    }
}
