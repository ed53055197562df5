// Exercises the C constructs a BTF-to-C writer must reproduce: bitfields, packed and aligned
// structs, anonymous nested unions/structs/enums, signed and 64-bit enums, function pointers,
// multi-dimensional arrays, qualifiers, forward declarations, a name used for two different
// types, and variables in data sections. Every type is used by a global so it lands in .BTF.
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct opaque;                               /* only ever used through a pointer */

enum small_signed { NEG_TWO = -2, ZERO = 0, BIG = 100 };
enum wide64 { W_LOW = 1, W_HIGH = 0x100000000ULL };
enum __attribute__((packed)) tiny { T_A, T_B };

typedef int (*binop_fn)(int, int);
typedef void (*varargs_fn)(const char *fmt, ...);

struct bits {
    unsigned int a: 3;
    unsigned int b: 5;
    int c: 7;
    unsigned long long wide: 40;
    unsigned char tail;
    unsigned short s: 4;
};

struct __attribute__((packed)) packed_header {
    __u8 kind;
    __u32 length;
    __u16 flags;
};

struct aligned_block {
    __u8 tag;
    __u64 value __attribute__((aligned(16)));
    char pad_me[3];
};

struct nested {
    int id;
    union {
        __u32 as_u32;
        __u8 bytes[4];
        struct {
            __u16 lo;
            __u16 hi;
        };
    };
    struct {
        enum { MODE_OFF, MODE_ON = 7 } mode;
        const volatile int *restrict cursor;
    } state;
    struct opaque *handle;
    struct nested *next;
    binop_fn ops[2];
    int (*callback)(struct nested *self, void *ctx);
    int matrix[3][4];
    const char *names[2][3];
    varargs_fn log;
    char flexible[];
};

#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __user_ptr __attribute__((btf_type_tag("user")))

struct tagged {
    int plain __tag("plain_member");
    char __user_ptr *from_user;
    const int __user_ptr *__user_ptr *nested_user;
} __tag("tagged_struct");

struct list {
    struct list *prev, *next;
    struct nested *(*pick)(struct list *, enum small_signed);
};

struct bits g_bits;
struct packed_header g_packed;
struct aligned_block g_aligned;
struct nested *g_nested;
struct list g_list;
struct tagged g_tagged;
enum small_signed g_small = NEG_TWO;
enum wide64 g_wide = W_HIGH;
enum tiny g_tiny;
const volatile int g_config = 3;
float g_float;
double g_double;
_Bool g_flag;
static int hidden_counter;

static __attribute__((noinline)) __tag("helper_fn") int helper(int x __tag("arg_tag"))
{
    return x * 3;
}

SEC("socket")
int kinds(void *ctx)
{
    hidden_counter++;
    return helper(g_bits.b) + g_bits.a + g_packed.length + (int)g_aligned.value + g_config + hidden_counter;
}

char LICENSE[] SEC("license") = "GPL";
