namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>tls.clientValidation.crl</c>: revocation lists (key <c>ca.crl</c>) client chains are checked against.</summary>
public sealed record ClientCrlSpec
{
    public IReadOnlyList<SecretObjectReference>? Refs { get; init; }
    public bool? OnlyVerifyLeafCertificate { get; init; }
}
