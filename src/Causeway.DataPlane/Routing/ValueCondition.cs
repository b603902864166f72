using System.Text.RegularExpressions;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Primitives;

namespace Causeway.DataPlane.Routing;

/// <summary>
/// One header or query condition of a match: an exact value (ordinal) or a full-match regex. Immutable, so identical
/// conditions are shared between matches (<see cref="CompileShare"/>).
/// </summary>
internal sealed class ValueCondition
{
    private readonly string? _exact;
    private readonly Regex? _regex;

    /// <summary>Header names are looked up case-insensitively by the request view; query names exactly.</summary>
    public ValueCondition(ValueMatchIr ir)
    {
        Name = ir.Name;
        if (ir.Kind == StringMatchKind.Regex) _regex = RouteRegex.FullMatch(ir.Value);
        else _exact = ir.Value;
    }

    public string Name { get; }

    /// <summary>Whether the request has the header and its value (several joined with ",") satisfies the condition.</summary>
    public bool MatchesHeader<TRequest>(in TRequest request) where TRequest : struct, IRequestView
    {
        if (_exact is not null) return request.HeaderEquals(Name, _exact);
        return request.TryGetHeader(Name, out var values) && Matches(values);
    }

    public bool Matches(StringValues values) => MatchesOne(Joined(values));

    public bool MatchesOne(string value) =>
        _regex is not null ? _regex.IsMatch(value) : string.Equals(value, _exact, StringComparison.Ordinal);

    /// <summary>A header's values as one string, as conditions see them (one value as is, several joined with ",").</summary>
    public static string Joined(StringValues values) => values.Count == 1 ? values[0] ?? "" : values.ToString();
}
