namespace Causeway.DataPlane.Upstream;

/// <summary>
/// BackendTrafficPolicy <c>useClientProtocol</c>: the backend is asked in the client's HTTP version — HTTP/2 for an
/// HTTP/2 client (h2c with prior knowledge in cleartext, ALPN over TLS), HTTP/1.1 otherwise — instead of the one its
/// backendRef names. The Kestrel pipeline picks the version per request (<see cref="BackendRuntime.ClientProtocolConfig"/>);
/// the byte transports speak HTTP/1.1 to the backend whatever it is, so they hand such rules on.
/// </summary>
internal sealed class UseClientProtocolStep : PipelineStep
{
    public static readonly UseClientProtocolStep Instance = new();

    public override StepStage Stage => StepStage.Upstream;

    public override TransportSet Transports => TransportSet.Kestrel;

    public override string Describe() => "use-client-protocol (the backend is asked in the client's HTTP version)";
}
