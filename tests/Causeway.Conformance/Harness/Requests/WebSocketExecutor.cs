using System.Net.WebSockets;
using Causeway.Conformance.Harness.Corpus;

namespace Causeway.Conformance.Harness.Requests;

/// <summary>Opens ws://gateway/path, sends each message and expects it back unchanged (same frame type).</summary>
public static class WebSocketExecutor
{
    public static async Task<Observation> EchoAsync(RequestSpec spec, IReadOnlyList<WebSocketMessage> messages, Target target, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(HttpExecutor.RequestTimeout);
        using var ws = new ClientWebSocket();
        if (spec.Origin is not null) ws.Options.SetRequestHeader("Origin", spec.Origin);
        if (spec.Host is not null) ws.Options.SetRequestHeader("Host", spec.Host);
        foreach (var (k, v) in spec.Headers) ws.Options.SetRequestHeader(k, v);
        try
        {
            await ws.ConnectAsync(new Uri($"ws://{target.Authority(80)}{spec.Path}"), cts.Token);
            var buffer = new byte[64 * 1024];
            foreach (var m in messages)
            {
                var type = m.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
                await ws.SendAsync(m.Data, type, true, cts.Token);
                var received = new MemoryStream();
                WebSocketReceiveResult r;
                do
                {
                    r = await ws.ReceiveAsync(buffer, cts.Token);
                    received.Write(buffer, 0, r.Count);
                } while (!r.EndOfMessage && r.MessageType != WebSocketMessageType.Close);
                if (r.MessageType != type || !received.ToArray().AsSpan().SequenceEqual(m.Data))
                    return new Observation { Flag = false, Body = $"sent {type} [{m.Data.Length} bytes], got {r.MessageType} [{received.Length} bytes]" };
            }
            try { await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token); }
            catch (WebSocketException) { }
            return new Observation { Flag = true, Status = 101 };
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException or IOException)
        {
            return new Observation { TransportError = StreamExecutor.Flatten(e) };
        }
    }
}
