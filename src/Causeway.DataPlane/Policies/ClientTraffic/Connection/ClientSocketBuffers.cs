using System.Net.Sockets;
using Causeway.DataPlane.Transports.Http1.EventLoop;

namespace Causeway.DataPlane.Policies.ClientTraffic.Connection;

/// <summary>
/// ClientTrafficPolicy <c>connection.socketBufferLimit</c>: the kernel's receive and send buffers (SO_RCVBUF,
/// SO_SNDBUF) of every accepted client socket of the port, set once at accept by each transport that accepts (the
/// event loop on its descriptor, Kestrel's socket transport in the port's first connection middleware). What the
/// kernel then reports (Linux doubles the value asked) goes to <see cref="DataPlaneOptions.ClientSocketBuffersSet"/>
/// when set (tests).
/// </summary>
internal static class ClientSocketBuffers
{
    /// <summary>On a descriptor the event loop accepted.</summary>
    public static unsafe void Apply(int fd, int size, Action<int, int>? observed)
    {
        Native.setsockopt(fd, Native.SolSocket, Native.SoRcvBuf, &size, sizeof(int));
        Native.setsockopt(fd, Native.SolSocket, Native.SoSndBuf, &size, sizeof(int));
        if (observed is null) return;
        int receive = 0, send = 0, length = sizeof(int);
        Native.getsockopt(fd, Native.SolSocket, Native.SoRcvBuf, &receive, &length);
        length = sizeof(int);
        Native.getsockopt(fd, Native.SolSocket, Native.SoSndBuf, &send, &length);
        observed(receive, send);
    }

    /// <summary>On a socket Kestrel's socket transport accepted.</summary>
    public static void Apply(Socket socket, int size, Action<int, int>? observed)
    {
        try
        {
            socket.ReceiveBufferSize = size;
            socket.SendBufferSize = size;
            observed?.Invoke(socket.ReceiveBufferSize, socket.SendBufferSize);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The client is gone already.
        }
    }
}
