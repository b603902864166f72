using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Causeway.DataPlane.Listeners;

/// <summary>
/// HTTP/2 prior knowledge (h2c) on a cleartext port that also speaks HTTP/1.1. Kestrel picks HTTP/2 on such a port
/// only from ALPN, so this connection middleware peeks (without consuming) at the first bytes and, when they are
/// the HTTP/2 connection preface, reports "h2" as the application protocol.
/// </summary>
internal static class H2cDetection
{
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public static async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next, TimeSpan timeout)
    {
        var input = connection.Transport.Input;
        var h2 = false;
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            cts.CancelAfter(timeout);
            try
            {
                while (true)
                {
                    var result = await input.ReadAsync(cts.Token).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    var decided = Decide(buffer, out h2);
                    if (decided || result.IsCompleted || result.IsCanceled)
                    {
                        input.AdvanceTo(buffer.Start);
                        break;
                    }
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            catch (OperationCanceledException)
            {
                return; // idle before the first byte: close the connection
            }
        }
        if (h2)
        {
            // Kestrel 10 only honours the application protocol when the connection looks like TLS; the request
            // handler restores the "http" scheme for these connections (see HttpRequestHandler).
            connection.Features.Set<ITlsApplicationProtocolFeature>(PriorKnowledge.Instance);
            connection.Features.Set<ITlsConnectionFeature>(PriorKnowledge.Instance);
        }
        await next(connection).ConfigureAwait(false);
    }

    private static bool Decide(ReadOnlySequence<byte> buffer, out bool h2)
    {
        h2 = false;
        var preface = Preface;
        var length = (int)Math.Min(buffer.Length, preface.Length);
        Span<byte> head = stackalloc byte[preface.Length];
        buffer.Slice(0, length).CopyTo(head);
        if (!head[..length].SequenceEqual(preface[..length])) return true;
        if (length < preface.Length) return false;
        h2 = true;
        return true;
    }

    /// <summary>Stateless marker features for an h2c prior-knowledge connection (no certificate, protocol "h2").</summary>
    private sealed class PriorKnowledge : ITlsApplicationProtocolFeature, ITlsConnectionFeature
    {
        public static readonly PriorKnowledge Instance = new();

        public ReadOnlyMemory<byte> ApplicationProtocol => System.Net.Security.SslApplicationProtocol.Http2.Protocol;

        public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate
        {
            get => null;
            set { }
        }

        public Task<System.Security.Cryptography.X509Certificates.X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) =>
            Task.FromResult<System.Security.Cryptography.X509Certificates.X509Certificate2?>(null);
    }
}
