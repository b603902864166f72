using System.Text.Json.Nodes;

namespace Causeway.Model.Schema;

/// <summary>Value-validation combinators: <c>allOf</c>, <c>anyOf</c>, <c>oneOf</c>, <c>not</c>.</summary>
internal sealed partial class SchemaChecker
{
    private void CheckCombinators(JsonNode node, SchemaNode s)
    {
        if (s.AllOf is { } allOf)
        {
            foreach (var sub in allOf)
            {
                Check(node, sub, structural: false);
            }
        }

        if (s.AnyOf is { } anyOf)
        {
            var branchErrors = new List<SchemaError>();
            if (!anyOf.Any(sub => Matches(node, sub, branchErrors)))
            {
                var formats = anyOf.Select(b => b.Format).ToList();
                if (node is JsonValue && branchErrors.Count == anyOf.Count && formats.All(f => f is not null) &&
                    branchErrors.All(e => e.Message.Contains(": must be of type ", StringComparison.Ordinal)))
                {
                    // anyOf over formats (e.g. ipv4 | ipv6): one combined message.
                    Add($"Invalid value: {Render(node)}: must be of type {string.Join(" or ", formats)}");
                }
                else
                {
                    Errors.AddRange(branchErrors.Distinct());
                    Add($"Invalid value: {Render(node)}: must validate at least one schema (anyOf)");
                }
            }
        }

        if (s.OneOf is { } oneOf)
        {
            var perBranch = oneOf.Select(sub =>
            {
                var errs = new List<SchemaError>();
                return (Ok: Matches(node, sub, errs), Errors: errs);
            }).ToList();
            var valid = perBranch.Count(b => b.Ok);
            if (valid == 0)
            {
                // Branches rejected by a "not" are discriminated away (e.g. "type is not IPAddress"): their
                // errors only add noise, so report the others' unless every branch was rejected that way.
                var relevant = perBranch.Where(b => !b.Errors.Any(e => e.Message.EndsWith("(not)", StringComparison.Ordinal))).ToList();
                Errors.AddRange((relevant.Count > 0 ? relevant : perBranch).SelectMany(b => b.Errors).Distinct());
                Add($"Invalid value: {Render(node)}: must validate one and only one schema (oneOf). Found none valid");
            }
            else if (valid > 1)
            {
                Add($"Invalid value: {Render(node)}: must validate one and only one schema (oneOf). Found {valid} valid alternatives");
            }
        }

        if (s.Not is { } not && Matches(node, not, null))
        {
            Add($"Invalid value: {Render(node)}: must not validate the schema (not)");
        }
    }

    private bool Matches(JsonNode node, SchemaNode sub, List<SchemaError>? collect)
    {
        var before = Errors.Count;
        Check(node, sub, structural: false);
        var ok = Errors.Count == before;
        collect?.AddRange(Errors.Skip(before));
        Errors.RemoveRange(before, Errors.Count - before);
        return ok;
    }
}
