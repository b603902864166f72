namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>What a rule is about: methods (any of) and a path.</summary>
public sealed record AuthorizationOperationSpec
{
    public IReadOnlyList<string> Methods { get; init; } = [];
    public AuthorizationPathSpec? Path { get; init; }
}
