using Spectre.Console.Cli;

namespace Driftwatch.Cli.Infrastructure;

/// <summary>The smallest container Spectre.Console.Cli needs: instances and types with constructor injection.</summary>
internal sealed class TypeRegistrar : ITypeRegistrar
{
    private readonly Dictionary<Type, Func<TypeResolver, object>> _registrations = [];

    public void Register(Type service, Type implementation) => _registrations[service] = resolver => resolver.Create(implementation);

    public void RegisterInstance(Type service, object implementation) => _registrations[service] = _ => implementation;

    public void RegisterLazy(Type service, Func<object> factory)
    {
        var lazy = new Lazy<object>(factory);
        _registrations[service] = _ => lazy.Value;
    }

    public ITypeResolver Build() => new TypeResolver(_registrations);

    private sealed class TypeResolver(Dictionary<Type, Func<TypeResolver, object>> registrations) : ITypeResolver
    {
        public object? Resolve(Type? type)
        {
            if (type is null)
                return null;
            if (registrations.TryGetValue(type, out var factory))
                return factory(this);
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                var element = type.GetGenericArguments()[0];
                var all = Array.CreateInstance(element, registrations.ContainsKey(element) ? 1 : 0);
                if (all.Length == 1)
                    all.SetValue(registrations[element](this), 0);
                return all;
            }
            return type.IsAbstract || type.IsInterface ? null : Create(type);
        }

        public object Create(Type type)
        {
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            var arguments = constructor.GetParameters()
                .Select(p => Resolve(p.ParameterType) ?? throw new InvalidOperationException($"cannot resolve {p.ParameterType.Name} for {type.Name}"))
                .ToArray();
            return constructor.Invoke(arguments);
        }
    }
}
