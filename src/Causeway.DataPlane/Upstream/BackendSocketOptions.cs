using System.Net.Sockets;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Upstream;

/// <summary>Socket options a BackendTrafficPolicy sets on backend connections (<c>tcpKeepalive</c>), set before connecting.</summary>
internal static class BackendSocketOptions
{
    public static void Apply(Socket socket, TcpKeepaliveIr? keepalive)
    {
        if (keepalive is null || socket.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)) return;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Seconds(keepalive.IdleTime));
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Seconds(keepalive.Interval));
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, keepalive.Probes);
    }

    private static int Seconds(TimeSpan t) => (int)Math.Clamp(t.TotalSeconds, 1, int.MaxValue);
}
