using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Routes;

/// <summary>
/// What differs between HTTPRoute and GRPCRoute rules for <see cref="RouteRuleCompiler"/>: how a rule's parts are
/// read, how its matches become IR matches, and what the rule IR carries beyond filters and backends.
/// Implemented by structs, so the compiler's generic code is specialised per flavor.
/// </summary>
internal interface IRuleFlavor<TRule>
{
    /// <summary>The first segment of rule names: <c>httproute</c>, <c>grpcroute</c>.</summary>
    string NamePrefix { get; }

    /// <summary>How backends (and request mirrors) of these rules are spoken to.</summary>
    BackendProtocol Protocol { get; }

    string? Name(TRule rule);

    IReadOnlyList<HttpRouteFilter> Filters(TRule rule);

    int BackendCount(TRule rule);

    BackendRef BackendRef(TRule rule, int index);

    int? Weight(TRule rule, int index);

    IReadOnlyList<HttpRouteFilter> BackendFilters(TRule rule, int index);

    /// <summary>The rule IR from what the compiler resolved, plus what only this flavor has (timeouts, retries...).</summary>
    HttpRuleIr Rule(TRule rule, string name, EquatableArray<HttpFilterIr> filters, RedirectIr? redirect,
        EquatableArray<WeightedBackendIr> backends, int? directResponseStatus);

    /// <summary>The number of matches (0: the rule has none and matches everything).</summary>
    int MatchCount(TRule rule);

    /// <summary>Match <paramref name="index"/> of the rule as IR; -1 is the match-everything default.</summary>
    HttpMatchIr Match(TRule rule, int index, HttpRuleIr ir);
}
