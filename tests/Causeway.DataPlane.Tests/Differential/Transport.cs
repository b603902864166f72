namespace Causeway.DataPlane.Tests.Differential;

/// <summary>The three ways a cleartext HTTP/1.1 port is served, chosen by DataPlaneOptions.</summary>
public enum Transport
{
    /// <summary>Http1EventLoop and Http1FastPath on (the default): the epoll loops, handing the rest to Kestrel.</summary>
    EventLoop,

    /// <summary>Http1EventLoop off: Kestrel's socket transport with the Kestrel-side HTTP/1.1 relay.</summary>
    KestrelRelay,

    /// <summary>Http1FastPath off: Kestrel + YARP for every request.</summary>
    Yarp,
}
