using System.Text.Json;
using System.Text.Json.Serialization;
using Causeway.Translation.Ir;

namespace Causeway.Distribution.Wire;

/// <summary>
/// The wire form of a <see cref="GatewayIr"/>: System.Text.Json of the IR (where <see cref="TlsCertificateIr.PrivateKeyPem"/>
/// is ignored, as in every dump) plus a separate map of certificate source to private key PEM, which only this channel
/// carries. <see cref="Decode"/> puts the keys back.
/// </summary>
public static class IrCodec
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(), new EquatableArrayJsonConverterFactory() },
        RespectNullableAnnotations = false,
    };

    /// <summary>Serialises the IR and collects the private key of every certificate in it, by certificate source.</summary>
    public static (byte[] IrJson, IReadOnlyDictionary<string, string> PrivateKeys) Encode(GatewayIr ir)
    {
        ArgumentNullException.ThrowIfNull(ir);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var cert in Certificates(ir))
        {
            if (cert.PrivateKeyPem.Length == 0) continue;
            if (keys.TryGetValue(cert.Source, out var existing) && existing != cert.PrivateKeyPem)
                throw new InvalidOperationException($"certificate source '{cert.Source}' appears with two different private keys");
            keys[cert.Source] = cert.PrivateKeyPem;
        }

        return (JsonSerializer.SerializeToUtf8Bytes(ir, Json), keys);
    }

    /// <summary>Reads an IR and restores the private key of every certificate from <paramref name="privateKeys"/>.</summary>
    /// <exception cref="FormatException">The JSON is not a GatewayIr, or a certificate's key is missing.</exception>
    public static GatewayIr Decode(ReadOnlySpan<byte> irJson, IReadOnlyDictionary<string, string> privateKeys)
    {
        GatewayIr? ir;
        try
        {
            ir = JsonSerializer.Deserialize<GatewayIr>(irJson, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"invalid IR JSON: {e.Message}", e);
        }

        if (ir is null) throw new FormatException("invalid IR JSON: null");
        return RestoreKeys(ir, privateKeys);
    }

    /// <summary>
    /// Every <see cref="TlsCertificateIr"/> of the IR (listener certificates, the Gateway's backend client certificate
    /// and the client certificates of Envoy Gateway Backends' TLS).
    /// </summary>
    internal static IEnumerable<TlsCertificateIr> Certificates(GatewayIr ir)
    {
        if (ir.BackendClientCertificate is { } client) yield return client;
        foreach (var backend in ir.Backends)
            if (backend.Tls?.ClientCertificate is { } backendClient) yield return backendClient;
        foreach (var port in ir.Ports)
            foreach (var listener in port.Listeners)
                foreach (var cert in listener.Certificates)
                    yield return cert;
    }

    private static GatewayIr RestoreKeys(GatewayIr ir, IReadOnlyDictionary<string, string> keys)
    {
        TlsCertificateIr Fill(TlsCertificateIr cert) =>
            keys.TryGetValue(cert.Source, out var key)
                ? cert with { PrivateKeyPem = key }
                : throw new FormatException($"no private key sent for certificate '{cert.Source}'");

        var ports = ir.Ports.Select(port => port with
        {
            Listeners = port.Listeners.Select(l => l.Certificates.Count == 0
                ? l
                : l with { Certificates = l.Certificates.Select(Fill).ToList() }).ToList(),
        }).ToList();
        var backends = ir.Backends.Any(b => b.Tls?.ClientCertificate is not null)
            ? new Causeway.Model.EquatableArray<BackendIr>(ir.Backends.Select(b => b.Tls is { ClientCertificate: { } c } tls ? b with { Tls = tls with { ClientCertificate = Fill(c) } } : b))
            : ir.Backends;
        return ir with
        {
            Ports = ports,
            Backends = backends,
            BackendClientCertificate = ir.BackendClientCertificate is { } c ? Fill(c) : null,
        };
    }
}
