using Causeway.Model.Schema.Cel;

namespace Causeway.Model.Schema;

/// <summary>An <c>x-kubernetes-validations</c> rule compiled to an evaluable CEL tree.</summary>
internal sealed record CompiledRule(
    string Rule,
    CelExpr Expr,
    string? Message,
    CelExpr? MessageExpression,
    string? FieldPath,
    string? Reason);
