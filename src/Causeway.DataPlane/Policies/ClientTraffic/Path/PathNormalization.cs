using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.ClientTraffic.Path;

/// <summary>What a listener's path normalization asks of a request.</summary>
internal enum PathVerdict
{
    /// <summary>The path is routed and forwarded as sent.</summary>
    Unchanged,

    /// <summary>400: the path has an escaped slash and the policy rejects those.</summary>
    Reject,

    /// <summary>307 to the normalized path (<see cref="PathNormalization.Redirect"/>).</summary>
    Redirect,

    /// <summary>The normalized path (<see cref="PathNormalization.Normalize"/>) is routed and forwarded.</summary>
    Rewrite,
}

/// <summary>
/// A listener's ClientTrafficPolicy <c>path</c> settings compiled once per apply: escaped slashes (<c>%2F</c>,
/// <c>%5C</c>, any case) kept, refused, unescaped and redirected, or unescaped and forwarded, and adjacent slashes
/// merged, before routing, as Envoy's connection manager does. Every transport asks <see cref="Check"/> (no
/// allocation when the path needs nothing); the HTTP/1.1 byte transports answer Reject and Redirect themselves and
/// hand a Rewrite to the Kestrel pipeline, which routes and forwards <see cref="Normalize"/>'s path.
/// </summary>
internal sealed class PathNormalization
{
    private PathNormalization(bool merge, EscapedSlashesAction escaped)
    {
        MergeSlashes = merge;
        EscapedSlashes = escaped;
    }

    /// <summary>The listener's normalization, or null when it changes nothing (slashes kept as sent).</summary>
    public static PathNormalization? Create(ClientTrafficIr ir) =>
        !ir.MergeSlashes && ir.EscapedSlashes == EscapedSlashesAction.KeepUnchanged ? null : new(ir.MergeSlashes, ir.EscapedSlashes);

    public bool MergeSlashes { get; }

    public EscapedSlashesAction EscapedSlashes { get; }

    private bool Unescapes => EscapedSlashes is EscapedSlashesAction.UnescapeAndForward or EscapedSlashesAction.UnescapeAndRedirect;

    /// <summary>What to do with a request whose path (percent-encoded as sent, without the query) is <paramref name="path"/>.</summary>
    public PathVerdict Check(ReadOnlySpan<char> path)
    {
        if (EscapedSlashes != EscapedSlashesAction.KeepUnchanged && HasEscapedSlash(path))
        {
            return EscapedSlashes switch
            {
                EscapedSlashesAction.RejectRequest => PathVerdict.Reject,
                EscapedSlashesAction.UnescapeAndRedirect => PathVerdict.Redirect,
                _ => PathVerdict.Rewrite,
            };
        }
        return MergeSlashes && path.IndexOf("//", StringComparison.Ordinal) >= 0 ? PathVerdict.Rewrite : PathVerdict.Unchanged;
    }

    /// <summary>
    /// <paramref name="path"/> with escaped slashes unescaped (when the policy unescapes them) and adjacent slashes
    /// merged (when it merges them). Works on the path as sent and on Kestrel's decoded path alike (both keep
    /// <c>%2F</c> as is).
    /// </summary>
    public string Normalize(ReadOnlySpan<char> path)
    {
        var unescape = Unescapes;
        var result = new System.Text.StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (unescape && c == '%' && EscapedSlashAt(path, i) is { } slash)
            {
                c = slash;
                i += 2;
            }
            if (MergeSlashes && c == '/' && result.Length > 0 && result[^1] == '/') continue;
            result.Append(c);
        }
        return result.Length == 0 ? "/" : result.ToString();
    }

    /// <summary>Envoy's answer when escaped slashes are redirected: 307 to the normalized path, the query kept.</summary>
    /// <param name="query">The query as sent, with its <c>?</c>, or empty.</param>
    public LocalReply Redirect(ReadOnlySpan<char> path, ReadOnlySpan<char> query)
    {
        var reply = new LocalReply(307);
        reply.Headers.Add(new("Location", string.Concat(Normalize(path), query)));
        return reply;
    }

    private static bool HasEscapedSlash(ReadOnlySpan<char> path)
    {
        var at = path.IndexOf('%');
        while (at >= 0)
        {
            if (EscapedSlashAt(path, at) is not null) return true;
            var next = path[(at + 1)..].IndexOf('%');
            at = next < 0 ? -1 : at + 1 + next;
        }
        return false;
    }

    /// <summary>The slash escaped at <paramref name="i"/> (<c>%2F</c> or <c>%5C</c>, any case), or null.</summary>
    private static char? EscapedSlashAt(ReadOnlySpan<char> path, int i)
    {
        if (i + 2 >= path.Length) return null;
        var a = path[i + 1];
        var b = path[i + 2] | 0x20; // ASCII lower case
        if (a == '2' && b == 'f') return '/';
        if (a == '5' && b == 'c') return '\\';
        return null;
    }
}
