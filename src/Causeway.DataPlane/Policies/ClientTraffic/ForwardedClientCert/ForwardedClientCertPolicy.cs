using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.ClientTraffic.ForwardedClientCert;

/// <summary>
/// The x-forwarded-client-cert header of one listener, decided once for every transport: the client's header is
/// removed (Sanitize, the default; and every mode but AlwaysForwardOnly on a connection without a client
/// certificate), kept (ForwardOnly, AlwaysForwardOnly), extended with this connection's element after a comma
/// (AppendForward) or replaced by it (SanitizeSet).
/// </summary>
internal sealed class ForwardedClientCertPolicy
{
    public const string HeaderName = "x-forwarded-client-cert";

    /// <summary>What a listener without a policy does: the client's header never reaches the backend.</summary>
    public static readonly ForwardedClientCertPolicy Sanitize = new(new ForwardedClientCertIr());

    private readonly ForwardedClientCertMode _mode;
    private readonly ForwardedClientCertDetails _details;

    /// <summary>Per client certificate object (one per TLS connection): its element is built once per connection.</summary>
    private readonly ConditionalWeakTable<X509Certificate2, PeerCertificates> _peers = new();

    public ForwardedClientCertPolicy(ForwardedClientCertIr ir)
    {
        _mode = ir.Mode;
        _details = ir.Details;
    }

    /// <summary>Whether the backend never gets the header whatever the connection (transports then just drop it).</summary>
    public bool AlwaysRemoves => _mode == ForwardedClientCertMode.Sanitize;

    /// <summary>The certificates of a connection on a transport that keeps no state per connection (Kestrel).</summary>
    public PeerCertificates Peer(X509Certificate2 client, X509Certificate? local)
    {
        if (_peers.TryGetValue(client, out var peer)) return peer;
        peer = new PeerCertificates(client, local);
        _peers.AddOrUpdate(client, peer);
        return peer;
    }

    /// <summary>The header the backend gets, given the client's (null: none) and the connection's certificates (null: not mutual TLS); null: none.</summary>
    public string? Value(string? client, PeerCertificates? peer)
    {
        if (_mode == ForwardedClientCertMode.AlwaysForwardOnly) return client;
        if (peer is null) return null;
        return _mode switch
        {
            ForwardedClientCertMode.ForwardOnly => client,
            ForwardedClientCertMode.AppendForward => string.IsNullOrEmpty(client) ? peer.Element(_details) : client + "," + peer.Element(_details),
            ForwardedClientCertMode.SanitizeSet => peer.Element(_details),
            _ => null,
        };
    }
}
