using System.Net;
using System.Net.Sockets;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Upstream;

/// <summary>
/// Unix domain socket endpoints (Envoy Gateway Backend <c>unix</c>) for the Kestrel + YARP transport: the destination
/// prefix names the endpoint by its index (<c>unix-N.causeway.invalid</c>, a name that never resolves) and the
/// invoker's <see cref="SocketsHttpHandler.ConnectCallback"/> connects that name to the endpoint's socket path. The
/// request's Host header is the client's, as for every backend.
/// </summary>
internal static class UnixSockets
{
    private const string Suffix = ".causeway.invalid";

    /// <summary>The authority standing for endpoint <paramref name="index"/> (port 80).</summary>
    public static string Host(int index) => "unix-" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + Suffix;

    /// <summary>The socket paths of a backend's Unix endpoints by endpoint index (empty when it has none).</summary>
    public static EquatableArray<string> Paths(BackendIr backend) =>
        backend.Endpoints.Any(e => e.Kind == EndpointKind.Unix)
            ? new(backend.Endpoints.Select(e => e.Kind == EndpointKind.Unix ? e.Address : ""))
            : EquatableArray<string>.Empty;

    /// <summary>
    /// The endpoint to connect to for a pool authority: the Unix socket path when the host is one of ours, else the
    /// host and port as given (resolved by the socket).
    /// </summary>
    public static EndPoint EndPointFor(DnsEndPoint target, EquatableArray<string> paths)
    {
        var host = target.Host;
        if (paths.Count > 0 && host.StartsWith("unix-", StringComparison.Ordinal) && host.EndsWith(Suffix, StringComparison.Ordinal)
            && int.TryParse(host.AsSpan(5, host.Length - 5 - Suffix.Length), System.Globalization.CultureInfo.InvariantCulture, out var i)
            && i >= 0 && i < paths.Count && paths[i].Length > 0)
            return new UnixDomainSocketEndPoint(paths[i]);
        return target;
    }

    /// <summary>Connects a stream socket to <paramref name="target"/> (TCP with no delay, or a Unix socket).</summary>
    public static async ValueTask<Socket> ConnectAsync(DnsEndPoint target, EquatableArray<string> paths, CancellationToken ct, TcpKeepaliveIr? keepalive = null)
    {
        var endpoint = EndPointFor(target, paths);
        var socket = endpoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            BackendSocketOptions.Apply(socket, keepalive);
            await socket.ConnectAsync(endpoint, ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
