using Causeway.Model.Objects;
using Causeway.Model.Snapshot;

namespace Causeway.Translation;

/// <summary>Whether a cross-namespace reference is permitted by a ReferenceGrant in the target's namespace.</summary>
internal static class ReferenceGrants
{
    public static bool Allows(ResourceSnapshot s, string fromGroup, string fromKind, string fromNamespace,
        string toGroup, string toKind, string toNamespace, string toName)
    {
        if (fromNamespace == toNamespace) return true;
        foreach (var g in s.ReferenceGrants)
        {
            if (g.Namespace != toNamespace) continue;
            var fromOk = g.Spec.From.Any(f => f.Group == fromGroup && f.Kind == fromKind && f.Namespace == fromNamespace);
            if (!fromOk) continue;
            if (g.Spec.To.Any(t => t.Group == toGroup && t.Kind == toKind && (string.IsNullOrEmpty(t.Name) || t.Name == toName)))
                return true;
        }
        return false;
    }
}
