namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>An <c>apiKeyAuth.extractFrom[]</c> entry: header, query parameter and cookie names.</summary>
public sealed record ExtractFromSpec
{
    public IReadOnlyList<string> Headers { get; init; } = [];
    public IReadOnlyList<string> Params { get; init; } = [];
    public IReadOnlyList<string> Cookies { get; init; } = [];
}
