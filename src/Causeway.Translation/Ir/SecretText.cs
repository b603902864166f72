using System.Security.Cryptography;
using System.Text;

namespace Causeway.Translation.Ir;

/// <summary>
/// A secret value in the IR (an API key, an htpasswd hash). It prints as <c>&lt;redacted&gt;</c>, and the output
/// writers (<c>causeway translate</c>, <c>/config_dump</c>, goldens) show only <see cref="Fingerprint"/>; only the
/// controller-to-proxy channel carries the value itself.
/// </summary>
public sealed record SecretText(string Value)
{
    /// <summary><c>sha256:</c> and the first 12 hex digits of the value's SHA-256: tells changes apart, reveals nothing.</summary>
    public string Fingerprint => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Value)))[..12];

    public override string ToString() => "<redacted>";

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Value = <redacted>");
        return true;
    }
}
