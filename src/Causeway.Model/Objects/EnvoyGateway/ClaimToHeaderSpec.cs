namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A <c>claimToHeaders[]</c> entry: a claim copied into a request header.</summary>
public sealed record ClaimToHeaderSpec
{
    public string Header { get; init; } = "";
    public string Claim { get; init; } = "";
}
