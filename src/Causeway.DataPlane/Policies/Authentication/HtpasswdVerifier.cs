using System.Security.Cryptography;
using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.Authentication;

/// <summary>
/// The users of an <c>.htpasswd</c> file and their check: <c>{SHA}</c> (base64 SHA-1, what Envoy Gateway documents)
/// and bcrypt (<c>$2y$</c>/<c>$2a$</c>/<c>$2b$</c>, through BCrypt.Net-Next). Comparisons run in constant time; an
/// unknown user still costs a hash so timing does not tell users apart.
/// </summary>
internal sealed class HtpasswdVerifier
{
    private readonly Dictionary<string, string> _hashes = new(StringComparer.Ordinal);

    public HtpasswdVerifier(IEnumerable<HtpasswdUserIr> users)
    {
        foreach (var u in users) _hashes.TryAdd(u.User, u.Hash.Value);
    }

    public int Count => _hashes.Count;

    public bool Verify(string user, string password)
    {
        if (!_hashes.TryGetValue(user, out var hash))
        {
            _ = Sha(password, "{SHA}AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
            return false;
        }
        if (hash.StartsWith("{SHA}", StringComparison.Ordinal)) return Sha(password, hash);
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }

    private static bool Sha(string password, string hash)
    {
        var expected = Encoding.ASCII.GetBytes(hash[5..]);
        var actual = Encoding.ASCII.GetBytes(Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(password))));
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
