using System.Text;

namespace Causeway.DataPlane.Tests.Differential;

/// <summary>
/// Runs one <see cref="DiffCase"/> through every transport and requires the same observation at the client and at the
/// backend as Kestrel + YARP gives (the reference), plus the case's own expectations.
/// Cases with <see cref="DiffCase.YarpOnlyDifference"/> compare the two fast paths with each other instead.
/// </summary>
public static class DiffRunner
{
    public static async Task RunAsync(DiffGateways gateways, DiffCase c)
    {
        var seen = new Dictionary<Transport, (string Client, string Backend)>();
        foreach (var t in new[] { Transport.Yarp, Transport.KestrelRelay, Transport.EventLoop })
        {
            gateways.Backend.Reset(c.Backend);
            var loop = gateways.Gateway(Transport.EventLoop).Plane.FastPath!;
            var (served, handedOff) = (loop.LoopRequests, loop.LoopHandOffs);
            var client = await ClientObservation.CaptureAsync(gateways.Port(t), c);
            // A late backend record (e.g. after a timeout answered the client) still counts: give it a moment.
            await Task.Delay(c.Drain ? 0 : 20);
            var received = gateways.Backend.Received;
            seen[t] = (client, Render(Adjust(c, t, received)));
            if (t == Transport.EventLoop && c.LoopServes)
                Assert.True(loop.LoopHandOffs == handedOff && loop.LoopRequests > served,
                    $"the event loop handed {loop.LoopHandOffs - handedOff} connections to Kestrel and served {loop.LoopRequests - served} requests itself");
            if (t == Transport.Yarp && c.YarpOnlyDifference is not null) continue;
            if (c.Status is { } status)
                Assert.True(client.StartsWith($"HTTP/1.1 {status} ", StringComparison.Ordinal), $"{t}: expected {status}, got:\n{client}");
            if (c.BackendRequests is { } n && !c.CollapseRetries)
                Assert.True(received.Count == n, $"{t}: backend received {received.Count} requests, expected {n}:\n{seen[t].Backend}");
        }
        var referenceTransport = c.YarpOnlyDifference is null ? Transport.Yarp : Transport.KestrelRelay;
        var reference = seen[referenceTransport];
        foreach (var t in new[] { Transport.KestrelRelay, Transport.EventLoop })
        {
            if (t == referenceTransport) continue;
            Assert.True(reference.Client == seen[t].Client, $"client sees a difference, {t} vs {referenceTransport}:\n--- {referenceTransport}\n{reference.Client}--- {t}\n{seen[t].Client}");
            Assert.True(reference.Backend == seen[t].Backend, $"backend sees a difference, {t} vs {referenceTransport}:\n--- {referenceTransport}\n{reference.Backend}--- {t}\n{seen[t].Backend}");
        }
    }

    /// <summary>
    /// Inherent differences taken out before comparing: YARP's HttpClient adds <c>Content-Length: 0</c> to a POST or PUT
    /// that came without a body and without framing headers (a user agent SHOULD, RFC 9110 8.6); the relays forward
    /// the request as the client framed it. Only that header, only then, only on the YARP transport.
    /// </summary>
    private static IReadOnlyList<BackendRequest> Adjust(DiffCase c, Transport t, IReadOnlyList<BackendRequest> received)
    {
        var head = c.Request[..Math.Max(0, c.Request.IndexOf("\r\n\r\n", StringComparison.Ordinal))];
        var unframed = !head.Contains("\r\nContent-Length:", StringComparison.OrdinalIgnoreCase)
            && !head.Contains("\r\nTransfer-Encoding:", StringComparison.OrdinalIgnoreCase);
        var list = received.Select(r => t == Transport.Yarp && unframed && r.Body.Length == 0
                && (r.RequestLine.StartsWith("POST ", StringComparison.Ordinal) || r.RequestLine.StartsWith("PUT ", StringComparison.Ordinal))
            ? r with { Headers = [.. r.Headers.Where(h => h is not { Key: "content-length", Value: "0" })] }
            : r).ToList();
        if (c.CollapseRetries)
            list = list.Where((r, i) => i == 0 || BackendView.Normalize(r) != BackendView.Normalize(list[i - 1])).ToList();
        return list;
    }

    private static string Render(IReadOnlyList<BackendRequest> received)
    {
        var sb = new StringBuilder();
        foreach (var r in received) sb.Append(BackendView.Normalize(r)).Append("\n--\n");
        return sb.ToString();
    }
}
