namespace Causeway.Translation.Ir;

/// <summary>ClientTrafficPolicy <c>headers.withUnderscoresAction</c>: request headers whose names contain '_'.</summary>
public enum UnderscoresAction
{
    Allow,

    /// <summary>400 Bad Request.</summary>
    RejectRequest,

    /// <summary>The header is removed before anything reads it.</summary>
    DropHeader,
}
