/* The probit learner's update step in C: BayesProbit.learn_one's loops without the interpreter.
 *
 * adf_step(mean, var, ids, values, ones, m0, v0, beta, accepted) does exactly what
 * servesell.learn.bayes_probit._adf_step (the Python reference, and the fallback where this
 * module was not built) does to the lists `mean` and `var`: the same IEEE double operations
 * in the same order, so the posterior is the same bit for bit (tests/learn/test_probit_c.py).
 * Built with -ffp-contract=off (hatch_build.py) so that no multiply-add is fused.
 *
 * A feature id past the end of the weights raises IndexError before anything is written;
 * the caller grows the weights and calls again. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static const double SQRT2 = 1.4142135623730951;        /* math.sqrt(2.0) */
static const double INV_SQRT_2PI = 0.3989422804014327; /* 1.0 / math.sqrt(2.0 * math.pi) */
static const double VAR_FLOOR = 1e-6;

static int
read_double(PyObject *item, double *out)
{
    if (PyFloat_CheckExact(item)) {
        *out = PyFloat_AS_DOUBLE(item);
        return 0;
    }
    *out = PyFloat_AsDouble(item);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

/* The weight index that feature id `item` names in a list of `size` weights, or -1 with
 * IndexError set (negative ids count from the end, as a Python list index does). */
static Py_ssize_t
weight_index(PyObject *item, Py_ssize_t size)
{
    Py_ssize_t i = PyLong_AsSsize_t(item);
    if (i == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (i < 0) {
        i += size;
    }
    if (i < 0 || i >= size) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return -1;
    }
    return i;
}

static int
set_double(PyObject *list, Py_ssize_t i, double value)
{
    PyObject *boxed = PyFloat_FromDouble(value);
    if (boxed == NULL) {
        return -1;
    }
    PyList_SET_ITEM(list, i, boxed);
    return 0;
}

static PyObject *
adf_step(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError, "adf_step takes 9 arguments");
        return NULL;
    }
    PyObject *mean = args[0], *var = args[1], *ids = args[2], *values = args[3];
    if (!PyList_CheckExact(mean) || !PyList_CheckExact(var) || !PyList_CheckExact(ids)
        || !PyList_CheckExact(values)) {
        PyErr_SetString(PyExc_TypeError, "adf_step: mean, var, ids and values must be lists");
        return NULL;
    }
    Py_ssize_t ones = PyLong_AsSsize_t(args[4]);
    double m, v, beta;
    if ((ones == -1 && PyErr_Occurred()) || read_double(args[5], &m) < 0
        || read_double(args[6], &v) < 0 || read_double(args[7], &beta) < 0) {
        return NULL;
    }
    int accepted = PyObject_IsTrue(args[8]);
    if (accepted < 0) {
        return NULL;
    }
    Py_ssize_t size = PyList_GET_SIZE(mean) < PyList_GET_SIZE(var) ? PyList_GET_SIZE(mean)
                                                                   : PyList_GET_SIZE(var);
    Py_ssize_t n = PyList_GET_SIZE(ids);
    Py_ssize_t head = ones < 0 ? 0 : (ones < n ? ones : n);
    /* zip(ids[ones:], values[ones:]) stops at the shorter list */
    Py_ssize_t end = PyList_GET_SIZE(values) > head ? PyList_GET_SIZE(values) : head;
    end = end < n ? end : n;
    double mi, vi, x;
    Py_ssize_t i;
    for (Py_ssize_t k = 0; k < end; k++) {
        if ((i = weight_index(PyList_GET_ITEM(ids, k), size)) < 0
            || read_double(PyList_GET_ITEM(mean, i), &mi) < 0
            || read_double(PyList_GET_ITEM(var, i), &vi) < 0) {
            return NULL;
        }
        if (k < head) {
            m += mi;
            v += vi;
            continue;
        }
        if (read_double(PyList_GET_ITEM(values, k), &x) < 0) {
            return NULL;
        }
        if (x == 1.0) {
            m += mi;
            v += vi;
        }
        else {
            m += mi * x;
            v += vi * x * x;
        }
    }
    double s2 = beta * beta + v;
    double s = sqrt(s2);
    double t = accepted ? m / s : -m / s;
    double g = t < -30.0 ? -t : INV_SQRT_2PI * exp(-0.5 * t * t) / (0.5 * erfc(-t / SQRT2));
    double step = accepted ? g / s : -g / s;
    double shrink = g * (g + t) / s2;
    for (Py_ssize_t k = 0; k < end; k++) {
        i = PyLong_AsSsize_t(PyList_GET_ITEM(ids, k)); /* checked in the first pass */
        if (i < 0) {
            i += size;
        }
        if (read_double(PyList_GET_ITEM(var, i), &vi) < 0
            || read_double(PyList_GET_ITEM(mean, i), &mi) < 0) {
            return NULL;
        }
        x = 1.0;
        if (k >= head && read_double(PyList_GET_ITEM(values, k), &x) < 0) {
            return NULL;
        }
        if (x == 1.0) {
            mi += step * vi;
            vi *= 1.0 - shrink * vi;
        }
        else {
            mi += step * x * vi;
            vi *= 1.0 - shrink * x * x * vi;
        }
        PyObject *old_mean = PyList_GET_ITEM(mean, i), *old_var = PyList_GET_ITEM(var, i);
        if (set_double(mean, i, mi) < 0) {
            return NULL;
        }
        Py_DECREF(old_mean);
        if (set_double(var, i, vi > VAR_FLOOR ? vi : VAR_FLOOR) < 0) {
            return NULL;
        }
        Py_DECREF(old_var);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"adf_step", (PyCFunction)(void (*)(void))adf_step, METH_FASTCALL,
     "One assumed-density-filtering step of the probit learner on the lists mean and var."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_probit",
    "The probit learner's update step in C (servesell.learn.bayes_probit).", -1, methods,
};

PyMODINIT_FUNC
PyInit__probit(void)
{
    return PyModule_Create(&module);
}
