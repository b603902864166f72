namespace Causeway.Translation.Ir;

/// <summary>What happens to the x-forwarded-client-cert header (Envoy's modes).</summary>
public enum ForwardedClientCertMode { Sanitize, ForwardOnly, AppendForward, SanitizeSet, AlwaysForwardOnly }

/// <summary>Fields of the client certificate added to the header (besides its hash), in Envoy's order.</summary>
[Flags]
public enum ForwardedClientCertDetails { None = 0, Cert = 1, Chain = 2, Subject = 4, Uri = 8, Dns = 16 }

/// <summary>ClientTrafficPolicy <c>headers.xForwardedClientCert</c>; a listener without it sanitizes the header.</summary>
public sealed record ForwardedClientCertIr
{
    public ForwardedClientCertMode Mode { get; init; } = ForwardedClientCertMode.Sanitize;
    public ForwardedClientCertDetails Details { get; init; }
}
