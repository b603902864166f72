using System.Reflection;
using System.Text;
using Causeway.Distribution.Security;
using Causeway.Distribution.Wire;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.Distribution.Tests;

public sealed class IrCodecTests
{
    [Fact]
    public void RoundTripRestoresTheIrAndItsKeys()
    {
        using var ca = CertificateAuthority.Create();
        var ir = TestIr.Build(ca, "default/gw");
        var (json, keys) = IrCodec.Encode(ir);

        var text = Encoding.UTF8.GetString(json);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        Assert.Equal(2, keys.Count);
        Assert.Contains("PRIVATE KEY", keys["default/www-cert"], StringComparison.Ordinal);

        var back = IrCodec.Decode(json, keys);
        Assert.Equal(ir, back);
        Assert.Equal(ir.BackendClientCertificate!.PrivateKeyPem, back.BackendClientCertificate!.PrivateKeyPem);
    }

    [Fact]
    public void A_Backends_TLS_client_certificate_travels_with_its_key()
    {
        using var ca = CertificateAuthority.Create();
        var ir = TestIr.Build(ca, "default/gw");
        var client = ir.BackendClientCertificate! with { Source = "default/backend-client" };
        var backend = new BackendIr
        {
            Id = "Backend:default/tls",
            Endpoints = new([new EndpointIr("10.0.0.1", 443)]),
            Tls = new BackendTlsIr { Hostname = "tls.example", ClientCertificate = client },
        };
        ir = ir with { Backends = new([.. ir.Backends, backend]) };
        var (json, keys) = IrCodec.Encode(ir);
        Assert.DoesNotContain("PRIVATE KEY", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.Contains("PRIVATE KEY", keys["default/backend-client"], StringComparison.Ordinal);
        var back = IrCodec.Decode(json, keys);
        Assert.Equal(ir, back);
        Assert.Equal(client.PrivateKeyPem, back.Backends.Single(b => b.Id == "Backend:default/tls").Tls!.ClientCertificate!.PrivateKeyPem);
    }

    [Fact]
    public void MissingKeyIsAnError()
    {
        using var ca = CertificateAuthority.Create();
        var (json, keys) = IrCodec.Encode(TestIr.Build(ca, "default/gw"));
        var partial = keys.Where(kv => kv.Key != "default/client-cert").ToDictionary();
        var e = Assert.Throws<FormatException>(() => IrCodec.Decode(json, partial));
        Assert.Contains("default/client-cert", e.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => IrCodec.Decode("{\"Name\":"u8, keys));
    }

    /// <summary>
    /// The codec finds certificates by walking GatewayIr.BackendClientCertificate, BackendIr.Tls.ClientCertificate and ListenerIr.Certificates. If the IR
    /// gains a TlsCertificateIr anywhere else, this fails: extend IrCodec.Certificates/RestoreKeys, or keys would be lost.
    /// </summary>
    [Fact]
    public void CodecKnowsEveryPlaceACertificateCanBe()
    {
        var found = new List<string>();
        var seen = new HashSet<Type>();
        void Walk(Type t)
        {
            if (!seen.Add(t) || t.Namespace != typeof(GatewayIr).Namespace) return;
            foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var pt = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
                if (pt.IsGenericType && pt.GetGenericTypeDefinition() == typeof(EquatableArray<>)) pt = pt.GetGenericArguments()[0];
                if (pt == typeof(TlsCertificateIr)) found.Add(t.Name + "." + p.Name);
                else Walk(pt);
            }
        }

        Walk(typeof(GatewayIr));
        Assert.Equal(["BackendTlsIr.ClientCertificate", "GatewayIr.BackendClientCertificate", "ListenerIr.Certificates"], found.Order(StringComparer.Ordinal));
    }
}
