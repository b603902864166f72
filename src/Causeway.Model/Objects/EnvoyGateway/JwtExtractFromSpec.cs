namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A JWT provider's <c>extractFrom</c>: headers (with a value prefix), cookies and query parameters.</summary>
public sealed record JwtExtractFromSpec
{
    public IReadOnlyList<JwtHeaderSourceSpec> Headers { get; init; } = [];
    public IReadOnlyList<string> Cookies { get; init; } = [];
    public IReadOnlyList<string> Params { get; init; } = [];
}
