namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// The transports that serve HTTP requests. A pipeline step declares the ones that may run it; a route plan runs on
/// the transports every one of its steps allows (the intersection), and the Kestrel pipeline runs every step.
/// </summary>
[Flags]
internal enum TransportSet
{
    None = 0,

    /// <summary>The HTTP/1.1 epoll event loop (cleartext ports): decide-only work stays here without hand-off.</summary>
    EventLoop = 1,

    /// <summary>The HTTP/1.1 relay on Kestrel connections (TLS ports, or cleartext with the event loop off).</summary>
    Http1Relay = 2,

    /// <summary>Kestrel + YARP: HTTP/1.1, HTTP/2, upgrades, streaming bodies; the transport of last resort.</summary>
    Kestrel = 4,

    /// <summary>Both HTTP/1.1 byte transports (they share <c>Http1Exchange</c>).</summary>
    Http1 = EventLoop | Http1Relay,

    All = EventLoop | Http1Relay | Kestrel,
}
