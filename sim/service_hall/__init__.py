"""The service hall (审批服务一窗口): windows, queue, online and proxy channels; its section is ``sim.config.hall``."""
