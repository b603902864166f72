using System.Buffers;
using Causeway.DataPlane.Telemetry;
using Causeway.DataPlane.Transports.ProxyProtocol;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Connections;

namespace Causeway.DataPlane.Listeners;

/// <summary>
/// Reads a PROXY protocol header (v1 or v2) from a Kestrel connection before anything else (TLS included), advances
/// past it and makes the source it carries the connection's remote end point (what the HTTP pipeline, the relay,
/// X-Forwarded-For, policies and the access log see). A connection without a valid header is closed unless the header
/// is optional; with an optional header a connection that does not start with one is served as it is.
/// </summary>
internal static class ProxyProtocolMiddleware
{
    /// <summary>Set in <see cref="ConnectionContext.Items"/> of a connection closed for want of a valid header.</summary>
    public static readonly object Rejected = new();

    public static async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next, ProxyProtocolIr? proxy, TimeSpan timeout, ConnectionStats stats)
    {
        if (proxy is null)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        bool ok;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                ok = await ReadHeaderAsync(connection, proxy.Optional, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or InvalidOperationException)
            {
                ok = false;
            }
        }
        if (!ok)
        {
            connection.Items[Rejected] = true;
            stats.ProxyHeaderRejectedOnce();
            connection.Abort(new ConnectionAbortedException("no valid PROXY protocol header"));
            return;
        }
        await next(connection).ConfigureAwait(false);
    }

    /// <summary>True when the connection may go on (header read and skipped, or absent and optional).</summary>
    private static async Task<bool> ReadHeaderAsync(ConnectionContext connection, bool optional, CancellationToken ct)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var window = buffer.Length > ProxyHeaderParser.MaxV2Length ? buffer.Slice(0, ProxyHeaderParser.MaxV2Length) : buffer;
            byte[]? rented = null;
            ReadOnlySpan<byte> span;
            if (window.IsSingleSegment) span = window.FirstSpan;
            else
            {
                rented = ArrayPool<byte>.Shared.Rent((int)window.Length);
                window.CopyTo(rented);
                span = rented.AsSpan(0, (int)window.Length);
            }
            ProxyHeaderStatus status;
            int consumed;
            System.Net.IPEndPoint? source;
            try
            {
                status = ProxyHeaderParser.Parse(span, out consumed, out source);
            }
            finally
            {
                if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            }
            switch (status)
            {
                case ProxyHeaderStatus.Complete:
                    input.AdvanceTo(buffer.GetPosition(consumed));
                    if (source is not null) connection.RemoteEndPoint = source;
                    return true;
                case ProxyHeaderStatus.Absent:
                    input.AdvanceTo(buffer.Start, buffer.Start);
                    return optional;
                case ProxyHeaderStatus.Invalid:
                    input.AdvanceTo(buffer.Start, buffer.End);
                    return false;
                default:
                    input.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted || result.IsCanceled) return false;
                    break;
            }
        }
    }
}
