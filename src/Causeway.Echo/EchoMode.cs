namespace Causeway.Echo;

/// <summary>Which of the four echo-basic servers an instance runs (ECHO.md section 1).</summary>
public enum EchoMode
{
    /// <summary>HTTP/1.1 + h2c + optional HTTPS echo server (the default).</summary>
    Http,

    /// <summary>gRPC echo server (<c>GRPC_ECHO_SERVER</c>).</summary>
    Grpc,

    /// <summary>Line based TCP/TLS echo server (<c>TCP_ECHO_SERVER</c>).</summary>
    Tcp,

    /// <summary>UDP echo server (<c>UDP_ECHO_SERVER</c>).</summary>
    Udp,
}
