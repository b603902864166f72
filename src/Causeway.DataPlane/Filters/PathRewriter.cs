using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Filters;

/// <summary>ReplaceFullPath / ReplacePrefixMatch as the Gateway API defines them.</summary>
internal static class PathRewriter
{
    /// <summary>
    /// <paramref name="matchedPrefix"/> is the Prefix match value (null for other match kinds). Prefix replacement
    /// keeps the segment boundary: <c>/prefix/one</c> with <c>/prefix</c> replaced by <c>/one</c> is <c>/one/one</c>,
    /// replaced by <c>/</c> is <c>/one</c>.
    /// </summary>
    public static string Apply(PathModifierIr modifier, string? matchedPrefix, string path)
    {
        if (modifier.Kind == PathModifierKind.ReplaceFullPath) return modifier.Value.Length == 0 ? "/" : modifier.Value;
        var prefix = (matchedPrefix ?? path).TrimEnd('/');
        if (prefix.Length > path.Length || !path.StartsWith(prefix, StringComparison.Ordinal)) prefix = "";
        var rest = path.AsSpan(prefix.Length);
        var replacement = modifier.Value.AsSpan().TrimEnd('/');
        if (rest.Length > 0 && rest[0] != '/') rest = path.AsSpan(path.Length);
        var result = string.Concat(replacement, rest);
        return result.Length == 0 ? "/" : result;
    }
}
