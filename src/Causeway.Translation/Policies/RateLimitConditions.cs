using System.Net;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>A rate-limit rule's client selector as IR conditions (all must hold), each problem naming its field.</summary>
internal static class RateLimitConditions
{
    public static IEnumerable<RateLimitConditionIr> Compile(RateLimitSelectConditionSpec sel, string field, List<string> errors)
    {
        foreach (var name in (sel.Unmodelled?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
            errors.Add($"{field}.{name}: not supported by Causeway");
        var result = new List<RateLimitConditionIr>();
        for (var h = 0; h < sel.Headers.Count; h++)
            if (Value(sel.Headers[h], RateLimitConditionKind.Header, $"{field}.headers[{h}]", errors) is { } c)
                result.Add(c with { Name = c.Name!.ToLowerInvariant() });
        for (var q = 0; q < sel.QueryParams.Count; q++)
            if (Value(sel.QueryParams[q], RateLimitConditionKind.QueryParam, $"{field}.queryParams[{q}]", errors) is { } c)
                result.Add(c);
        if (sel.Methods.Count > 0)
        {
            // Methods are ORed; an inverted entry is "any method but this one", so inverted and plain entries do not mix.
            var inverted = sel.Methods.Count(m => m.Invert == true);
            if (inverted > 0 && inverted < sel.Methods.Count)
                errors.Add($"{field}.methods: mixing inverted and plain methods is not supported");
            result.Add(new RateLimitConditionIr
            {
                Kind = RateLimitConditionKind.Method,
                Values = new(sel.Methods.Select(m => m.Value.ToUpperInvariant())),
                Invert = inverted > 0,
            });
        }
        if (sel.Path is { } p)
        {
            var value = p.Value ?? "/";
            var match = (p.Type ?? "PathPrefix") switch
            {
                "Exact" => RateLimitMatch.Exact,
                "RegularExpression" => RateLimitMatch.Regex,
                _ => RateLimitMatch.Prefix,
            };
            if (match == RateLimitMatch.Regex && RouteRegex.Problem(value) is { } problem) errors.Add($"{field}.path.value: {problem}");
            result.Add(new RateLimitConditionIr { Kind = RateLimitConditionKind.Path, Match = match, Values = new([value]), Invert = p.Invert == true });
        }
        if (sel.SourceCidr is { } cidr)
        {
            if (!IPNetwork.TryParse(cidr.Value, out _)) errors.Add($"{field}.sourceCIDR.value: \"{cidr.Value}\" is not a CIDR");
            var distinct = cidr.Type == "Distinct";
            if (distinct && cidr.Invert == true) errors.Add($"{field}.sourceCIDR.invert: cannot be set with type Distinct");
            result.Add(new RateLimitConditionIr
            {
                Kind = RateLimitConditionKind.SourceCidr,
                Match = distinct ? RateLimitMatch.Distinct : RateLimitMatch.Exact,
                Values = new([cidr.Value]),
                Invert = cidr.Invert == true,
            });
        }
        return result;
    }

    private static RateLimitConditionIr? Value(ValueMatchSpec m, RateLimitConditionKind kind, string field, List<string> errors)
    {
        var type = m.Type ?? "Exact";
        if (type == "Distinct")
        {
            if (m.Value is not null) errors.Add($"{field}.value: must not be set when type is Distinct");
            if (m.Invert == true) errors.Add($"{field}.invert: must not be set when type is Distinct");
            return new RateLimitConditionIr { Kind = kind, Match = RateLimitMatch.Distinct, Name = m.Name };
        }
        if (m.Value is null)
        {
            errors.Add($"{field}.value: required when type is {type}");
            return null;
        }
        if (type == "RegularExpression" && RouteRegex.Problem(m.Value) is { } problem)
        {
            errors.Add($"{field}.value: {problem}");
            return null;
        }
        return new RateLimitConditionIr
        {
            Kind = kind,
            Match = type == "RegularExpression" ? RateLimitMatch.Regex : RateLimitMatch.Exact,
            Name = m.Name,
            Values = new([m.Value]),
            Invert = m.Invert == true,
        };
    }
}
