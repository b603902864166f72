namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>An operation's path: <c>Exact</c>, <c>PathPrefix</c> (default) or <c>RegularExpression</c>, optionally inverted.</summary>
public sealed record AuthorizationPathSpec
{
    public string? Type { get; init; }
    public string? Value { get; init; }
    public bool? Invert { get; init; }
}
