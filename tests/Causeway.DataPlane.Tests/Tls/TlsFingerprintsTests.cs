using System.Buffers.Binary;
using Causeway.DataPlane.Tls.Fingerprints;

namespace Causeway.DataPlane.Tests.Tls;

/// <summary>
/// JA3 and JA4 of a ClientHello built from a published capture of a browser's (Chrome 143 on Android, as
/// browserleaks.com reported it: its ja3_text, ja4_ro and hashes), with GREASE values added where browsers put them.
/// </summary>
public sealed class TlsFingerprintsTests
{
    private static readonly ushort[] Ciphers = [4865, 4866, 4867, 49195, 49199, 49196, 49200, 52393, 52392, 49171, 49172, 156, 157, 47, 53];

    private static byte[] U16(params ushort[] values)
    {
        var b = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(i * 2), values[i]);
        return b;
    }

    private static byte[] Vector16(byte[] data) => [.. U16((ushort)data.Length), .. data];

    private static byte[] Vector8(byte[] data) => [(byte)data.Length, .. data];

    private static byte[] Extension(ushort type, byte[] data) => [.. U16(type), .. Vector16(data)];

    private static byte[] Hello(bool withSni = true, bool withAlpn = true)
    {
        var sni = System.Text.Encoding.ASCII.GetBytes("tls.browserleaks.com");
        var extensions = new List<byte[]>
        {
            Extension(0x1a1a, []), // GREASE
            Extension(45, Vector8([1])),
            Extension(51, Vector16([.. U16(29), .. Vector16(new byte[32])])),
        };
        if (withAlpn) extensions.Add(Extension(16, Vector16([.. Vector8("h2"u8.ToArray()), .. Vector8("http/1.1"u8.ToArray())])));
        extensions.Add(Extension(65037, new byte[40]));
        extensions.Add(Extension(23, []));
        extensions.Add(Extension(17613, Vector16(Vector8("h2"u8.ToArray()))));
        if (withSni) extensions.Add(Extension(0, Vector16([0, .. U16((ushort)sni.Length), .. sni])));
        extensions.Add(Extension(11, Vector8([0])));
        extensions.Add(Extension(10, Vector16(U16(0x3a3a, 4588, 29, 23, 24))));
        extensions.Add(Extension(43, Vector8(U16(0x5a5a, 0x0304, 0x0303))));
        extensions.Add(Extension(65281, [0]));
        extensions.Add(Extension(35, []));
        extensions.Add(Extension(18, []));
        extensions.Add(Extension(5, [1, 0, 0, 0, 0]));
        extensions.Add(Extension(13, Vector16(U16(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601))));
        extensions.Add(Extension(27, Vector8(U16(2))));
        extensions.Add(Extension(0x2a2a, [0])); // GREASE
        return
        [
            .. U16(0x0303), .. new byte[32], .. Vector8(new byte[32]),
            .. Vector16(U16([0x0a0a, .. Ciphers])), .. Vector8([0]),
            .. Vector16([.. extensions.SelectMany(e => e)]),
        ];
    }

    [Fact]
    public void A_browsers_hello_gives_its_published_ja3_and_ja4()
    {
        var (ja3, ja4) = TlsFingerprints.Compute(Hello(), ja3: true, ja4: true);
        Assert.Equal("98487aa16281980e7d1120d399efb6a4", ja3);
        Assert.Equal("t13d1516h2_8daaf6152771_d8a2da3f94cd", ja4);
    }

    [Fact]
    public void Without_sni_or_alpn_the_first_part_says_so()
    {
        var (_, ja4) = TlsFingerprints.Compute(Hello(withSni: false, withAlpn: false), ja3: false, ja4: true);
        Assert.StartsWith("t13i151400_8daaf6152771_", ja4);
        Assert.Equal(("", null), (TlsFingerprints.Compute(Hello(), ja3: false, ja4: false).Ja3 ?? "", TlsFingerprints.Compute(Hello(), false, false).Ja4));
    }

    [Fact]
    public void A_truncated_hello_has_no_fingerprint()
    {
        var hello = Hello();
        Assert.Equal((null, null), TlsFingerprints.Compute(hello.AsSpan(0, 60), ja3: true, ja4: true));
        Assert.Equal((null, null), TlsFingerprints.Compute(hello.AsSpan(0, hello.Length - 3), ja3: true, ja4: true));
    }
}
