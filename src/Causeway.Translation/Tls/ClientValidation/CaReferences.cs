using System.Text;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Status;

namespace Causeway.Translation.Tls.ClientValidation;

/// <summary>
/// Resolves references to ConfigMaps and Secrets holding PEM material under one key (<c>ca.crt</c>, <c>ca.crl</c>):
/// the Gateway's frontend validation and a ClientTrafficPolicy's clientValidation read CAs and CRLs the same way
/// (core group only, ReferenceGrant for another namespace, the content checked by <c>check</c>).
/// </summary>
internal static class CaReferences
{
    /// <summary>One problem with one reference: its index, the status reason and a message naming the object.</summary>
    public sealed record Problem(int Index, string Reason, string Message);

    /// <param name="what">How the content is named in messages ("CA certificate", "CRL"); <paramref name="noun"/> what it must hold.</param>
    /// <param name="check">The content if valid, else null.</param>
    public static (string Pem, List<Problem> Problems) Resolve(ResourceSnapshot s, string fromGroup, string fromKind, string fromNamespace,
        IReadOnlyList<SecretObjectReference> refs, string defaultKind, string key, string what, string noun, Func<string?, string?> check)
    {
        var pem = new StringBuilder();
        var problems = new List<Problem>();
        for (var i = 0; i < refs.Count; i++)
        {
            var r = refs[i];
            var ns = r.Namespace ?? fromNamespace;
            var kind = r.Kind ?? defaultKind;
            if ((r.Group ?? "") != "" || kind is not ("ConfigMap" or "Secret"))
            {
                problems.Add(new(i, Reasons.InvalidCACertificateKind, $"{what} reference {r.Group}/{kind} {r.Name} is not supported"));
                continue;
            }
            if (!ReferenceGrants.Allows(s, fromGroup, fromKind, fromNamespace, "", kind, ns, r.Name))
            {
                problems.Add(new(i, Reasons.RefNotPermitted, $"{what} {kind} {ns}/{r.Name} is in another namespace and no ReferenceGrant allows it"));
                continue;
            }
            var text = kind == "ConfigMap"
                ? s.Get<ConfigMap>("ConfigMap", ns, r.Name)?.Data.GetValueOrDefault(key)
                : s.Get<Secret>("Secret", ns, r.Name)?.Data.GetValueOrDefault(key) is { } b ? Encoding.UTF8.GetString(b) : null;
            if (check(text) is { } ok) pem.AppendLine(ok.TrimEnd());
            else problems.Add(new(i, Reasons.InvalidCACertificateRef, $"{what} {kind} {ns}/{r.Name} not found or holds no valid {noun}"));
        }
        return (pem.ToString(), problems);
    }
}
