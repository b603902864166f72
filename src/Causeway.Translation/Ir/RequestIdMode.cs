namespace Causeway.Translation.Ir;

/// <summary>ClientTrafficPolicy <c>headers.requestID</c>: what becomes of <c>x-request-id</c>.</summary>
public enum RequestIdMode
{
    /// <summary>A new ID for every request; the client's is replaced.</summary>
    Generate,

    /// <summary>The client's ID is kept; none is generated.</summary>
    Preserve,

    /// <summary>The client's ID is kept, else a new one is generated.</summary>
    PreserveOrGenerate,

    /// <summary>No ID: the client's is removed and none is generated.</summary>
    Disable,
}
