namespace Causeway.Translation.Ir;

/// <summary>What a listener does with <c>%2F</c>, <c>%5C</c> (any case) in a request's path (ClientTrafficPolicy <c>path.escapedSlashesAction</c>).</summary>
public enum EscapedSlashesAction
{
    /// <summary>Routed and forwarded as sent.</summary>
    KeepUnchanged,

    /// <summary>Answered 400.</summary>
    RejectRequest,

    /// <summary>Unescaped (<c>/</c>, <c>\</c>), then routed and forwarded.</summary>
    UnescapeAndForward,

    /// <summary>Answered 307 to the unescaped path (Envoy Gateway's default).</summary>
    UnescapeAndRedirect,
}
