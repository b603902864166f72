using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.Conformance.Harness.Corpus;

namespace Causeway.Conformance.Harness.Requests;

/// <summary>UDP: one datagram out, one back (echo JSON or a DNS reply).</summary>
public static class DatagramExecutor
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static async Task<Observation> ExchangeAsync(RequestSpec spec, Target target, CancellationToken ct)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        var endpoint = new IPEndPoint(IPAddress.Parse(target.Address), target.Port);
        var isDns = spec.DnsQuestion is not null;
        var id = (ushort)Random.Shared.Next(1, 65535);
        var payload = isDns ? DnsQuery(id, spec.DnsQuestion!, spec.DnsType ?? "A") : Encoding.UTF8.GetBytes(spec.Payload ?? "");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(Timeout);
        try
        {
            await udp.SendAsync(payload, endpoint, cts.Token);
            while (true)
            {
                var r = await udp.ReceiveAsync(cts.Token);
                if (isDns)
                {
                    if (r.Buffer.Length >= 12 && (r.Buffer[0] << 8 | r.Buffer[1]) == id && (r.Buffer[2] & 0x80) != 0)
                        return new Observation { Flag = true };
                    continue;
                }
                var text = Encoding.UTF8.GetString(r.Buffer);
                return new Observation { Flag = true, Body = text, Echo = EchoResponse.ParseTcpOrUdp(text) };
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Observation { TransportError = $"no reply within {Timeout.TotalSeconds:0}s" };
        }
        catch (SocketException e)
        {
            return new Observation { TransportError = e.Message };
        }
    }

    /// <summary>A recursive-desired DNS query for one question.</summary>
    public static byte[] DnsQuery(ushort id, string name, string type)
    {
        var q = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            q.Add((byte)bytes.Length);
            q.AddRange(bytes);
        }
        q.Add(0);
        var t = type.ToUpperInvariant() switch { "A" => 1, "AAAA" => 28, "TXT" => 16, "NS" => 2, "CNAME" => 5, "MX" => 15, _ => 1 };
        q.AddRange([(byte)(t >> 8), (byte)t, 0, 1]);
        return [.. q];
    }
}
