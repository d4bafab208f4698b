namespace RoomsPortal.Core.Common;

/// <summary>The outcome of a use case that can fail in expected ways, named by <typeparamref name="TError"/>.</summary>
public readonly record struct Result<TValue, TError>
    where TError : struct, Enum
{
    private Result(TValue? value, TError? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The value when the operation succeeded.</summary>
    public TValue? Value { get; }

    /// <summary>The reason when the operation failed.</summary>
    public TError? Error { get; }

    /// <summary>True when the operation succeeded.</summary>
    public bool Succeeded => Error is null;

    /// <summary>A success.</summary>
    public static Result<TValue, TError> Success(TValue value) => new(value, null);

    /// <summary>A failure.</summary>
    public static Result<TValue, TError> Failure(TError error) => new(default, error);

    /// <summary>Lets a service return a value directly.</summary>
    public static implicit operator Result<TValue, TError>(TValue value) => Success(value);

    /// <summary>Lets a service return an error directly.</summary>
    public static implicit operator Result<TValue, TError>(TError error) => Failure(error);
}
