using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Causeway.DataPlane.Policies.Oidc;

/// <summary>
/// Seals the OIDC cookies so that any gateway process holding the same key can open them and nothing else can read or
/// forge them. Two 256-bit keys come from HKDF-SHA256 (salt <c>causeway-oidc-v1</c>) over the input key: the client
/// Secret's <c>hmac-secret</c> when it has one, else the client secret itself; the HKDF info binds them to the policy
/// (<c>namespace/name</c>) and the client id, so a cookie of one policy is worthless to another. A token cookie is
/// AES-256-GCM with a random 96-bit nonce and the cookie's name as associated data, written as base64url of
/// nonce | ciphertext | tag; <see cref="Mac"/> (HMAC-SHA256) binds the session's cookies together.
/// </summary>
internal sealed class OidcCookieSeal
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Salt = "causeway-oidc-v1"u8.ToArray();

    private readonly byte[] _encryption;
    private readonly byte[] _mac;

    public OidcCookieSeal(byte[] inputKey, string policy, string clientId)
    {
        _encryption = HKDF.DeriveKey(HashAlgorithmName.SHA256, inputKey, 32, Salt, Encoding.UTF8.GetBytes($"causeway oidc cookie encryption|{policy}|{clientId}"));
        _mac = HKDF.DeriveKey(HashAlgorithmName.SHA256, inputKey, 32, Salt, Encoding.UTF8.GetBytes($"causeway oidc cookie mac|{policy}|{clientId}"));
    }

    /// <summary>The sealed form of <paramref name="value"/> for cookie <paramref name="name"/>.</summary>
    public string Seal(string name, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_encryption, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), Encoding.UTF8.GetBytes(name));
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The value sealed for cookie <paramref name="name"/>, or null when it was not sealed with this key for that name (or was changed).</summary>
    public string? Open(string name, string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 8192) return null;
        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
        if (sealedBytes.Length < NonceSize + TagSize) return null;
        var length = sealedBytes.Length - NonceSize - TagSize;
        var plain = new byte[length];
        try
        {
            using var aes = new AesGcm(_encryption, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plain, Encoding.UTF8.GetBytes(name));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>HMAC-SHA256 of the session's parts (each length-prefixed), base64url.</summary>
    public string Mac(ReadOnlySpan<string?> parts)
    {
        var sb = new StringBuilder();
        foreach (var p in parts) sb.Append((p?.Length ?? -1).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append(p).Append('\n');
        return Base64Url.EncodeToString(HMACSHA256.HashData(_mac, Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>Whether <paramref name="mac"/> is the MAC of <paramref name="parts"/> (fixed-time comparison).</summary>
    public bool Verify(string? mac, ReadOnlySpan<string?> parts)
    {
        if (string.IsNullOrEmpty(mac)) return false;
        var expected = Encoding.ASCII.GetBytes(Mac(parts));
        var given = Encoding.ASCII.GetBytes(mac);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
