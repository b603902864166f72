namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>headers.xForwardedClientCert</c>: what happens to the x-forwarded-client-cert header.</summary>
public sealed record XForwardedClientCertSpec
{
    /// <summary>Sanitize (default), ForwardOnly, AppendForward, SanitizeSet or AlwaysForwardOnly.</summary>
    public string? Mode { get; init; }

    /// <summary>Subject, Cert, Chain, DNS, URI (AppendForward and SanitizeSet only).</summary>
    public IReadOnlyList<string>? CertDetailsToAdd { get; init; }
}
