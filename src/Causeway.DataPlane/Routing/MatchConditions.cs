using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Routing;

/// <summary>
/// What a match requires besides its path: the method, header and query conditions. Immutable, so one instance
/// serves every match of a compile that requires the same (<see cref="CompileShare"/>): the route index keeps it next
/// to each candidate, and checking a candidate reads this shared, cache-resident object instead of the match's own.
/// </summary>
internal sealed class MatchConditions
{
    private readonly string? _method;
    private readonly ValueCondition[] _headers;
    private readonly ValueCondition[] _query;

    public MatchConditions(string? method, ValueCondition[] headers, ValueCondition[] query)
    {
        _method = method;
        _headers = headers;
        _query = query;
        IsEmpty = method is null && headers.Length == 0 && query.Length == 0;
    }

    public MatchConditions(HttpMatchIr ir)
        : this(ir.Method, [.. ir.Headers.Select(h => new ValueCondition(h))], [.. ir.QueryParams.Select(q => new ValueCondition(q))])
    {
    }

    /// <summary>No condition: every request satisfies it.</summary>
    public bool IsEmpty { get; }

    public bool Matches<TRequest>(in TRequest request) where TRequest : struct, IRequestView
    {
        if (IsEmpty) return true;
        if (_method is not null && !request.MethodIs(_method)) return false;
        foreach (var h in _headers)
        {
            if (!h.MatchesHeader(request)) return false;
        }
        if (_query.Length > 0)
        {
            var query = request.Query;
            foreach (var q in _query)
            {
                if (query is null || CompiledMatch.FirstQueryValue(query, q.Name) is not { } value || !q.MatchesOne(value)) return false;
            }
        }
        return true;
    }
}
