using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>Stands in for coredns: answers every A query with the asker's address (like the whoami plugin), else an empty NOERROR.</summary>
public sealed class DnsResponder : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private readonly Action<string> _log;

    private DnsResponder(UdpClient udp, Action<string> log)
    {
        _udp = udp;
        _log = log;
        _loop = Task.Run(LoopAsync);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    public static DnsResponder Start(IPEndPoint bind, Action<string> log) => new(new UdpClient(bind), log);

    private async Task LoopAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            UdpReceiveResult r;
            try { r = await _udp.ReceiveAsync(_cts.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { continue; }
            catch (ObjectDisposedException) { return; }
            var reply = Answer(r.Buffer, r.RemoteEndPoint.Address);
            if (reply is null) continue;
            _log($"dns query from {r.RemoteEndPoint}");
            try { await _udp.SendAsync(reply, r.RemoteEndPoint, _cts.Token); }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
        }
    }

    /// <summary>Builds the reply to one query, or null if it is not a parseable query.</summary>
    public static byte[]? Answer(byte[] query, IPAddress asker)
    {
        if (query.Length < 12) return null;
        var qd = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4));
        if (qd != 1) return null;
        var i = 12;
        while (i < query.Length && query[i] != 0)
        {
            if ((query[i] & 0xC0) != 0) return null;
            i += query[i] + 1;
        }
        if (i + 5 > query.Length) return null;
        var qEnd = i + 5;
        var qType = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(i + 1));
        var answerA = qType == 1 && asker.AddressFamily == AddressFamily.InterNetwork;
        var reply = new List<byte>(query[..qEnd]);
        reply[2] = (byte)(0x80 | (query[2] & 0x79) | 0x04); // QR, opcode, AA, RD copied
        reply[3] = 0x80; // RA, NOERROR
        reply[6] = 0; reply[7] = (byte)(answerA ? 1 : 0);
        reply[8] = 0; reply[9] = 0; reply[10] = 0; reply[11] = 0;
        if (answerA)
        {
            reply.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4]);
            reply.AddRange(asker.GetAddressBytes());
        }
        return [.. reply];
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _udp.Dispose();
        try { await _loop; } catch (OperationCanceledException) { }
        _cts.Dispose();
    }
}
