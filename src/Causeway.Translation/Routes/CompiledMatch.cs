using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Routes;

/// <summary>A match of a route's rule, with what precedence needs to order it.</summary>
internal sealed record CompiledMatch(HttpMatchIr Match, Route Route, int RuleIndex, int MatchIndex);
