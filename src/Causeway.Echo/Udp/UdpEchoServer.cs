using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Causeway.Echo.Udp;

/// <summary>echo-basic's UDP mode: every datagram (first 1024 bytes) is answered with one JSON datagram.</summary>
internal sealed class UdpEchoServer : IAsyncDisposable
{
    private const int MaxDatagram = 1024;

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Socket _socket;
    private readonly EchoOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private UdpEchoServer(Socket socket, EchoOptions options)
    {
        _socket = socket;
        _options = options;
        _loop = Task.Run(() => ReceiveLoopAsync(_stop.Token));
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public static UdpEchoServer Start(EchoOptions options)
    {
        var socket = new Socket(options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
        {
            SendTimeout = 5000,
        };
        try
        {
            socket.Bind(new IPEndPoint(options.BindAddress, options.UdpPort));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new UdpEchoServer(socket, options);
    }

    internal static byte[] Reply(EchoOptions options, ReadOnlySpan<byte> payload)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Compact))
        {
            w.WriteStartObject();
            w.WriteString("request", Encoding.UTF8.GetString(payload));
            w.WriteString("namespace", options.Namespace);
            w.WriteString("ingress", options.IngressName);
            w.WriteString("service", options.ServiceName);
            w.WriteString("pod", options.PodName);
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[MaxDatagram];
        EndPoint any = new IPEndPoint(_options.BindAddress.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct).ConfigureAwait(false);
                var reply = Reply(_options, buffer.AsSpan(0, received.ReceivedBytes));
                using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                sendTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, sendTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // ICMP port unreachable from an earlier reply, oversize datagram, slow send: keep serving
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
